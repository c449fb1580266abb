import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import NIOCore
import NIOHTTP1

/// The check path's fast lane: reads Traefik's subrequests straight off the socket's bytes, before NIO's HTTP/1
/// decoder, and writes the answer's bytes straight to the socket, past NIO's encoder.
///
/// Why: NIO's decoder builds a `String` pair for every header field and its encoder another `HTTPHeaders`; for
/// an empty answer those took about half of the server's time per check (docs/benchmarks.md, "the event loop's
/// floor"). `RequestHead` reads a strict subset of HTTP/1 with fields left as byte ranges until asked for.
///
/// One of two lanes: what is not answered here goes on to NIO's decoder and Hummingbird, which answers it with
/// the same `Endpoints`. `FastLane` holds the connection's state and says what to do; this handler only does it.
/// - A head outside `RequestHead`'s subset, over its limits, with a body or an upgrade, or with a method other than
///   `GET` and `HEAD`: this and every later byte go on, and the decoder judges them as before this handler existed.
/// - A whole bodiless head whose judgement needs waiting (the callback, logout, a new Bearer token) or that is not
///   forwarded: exactly its bytes go on, so the decoder is again at a boundary afterwards.
/// - While a request that went on has no finished answer (`HandedOnRequests` counts them), later pipelined requests
///   go on too, so answers stay in order.
///
/// Being first in the pipeline, it also keeps the connection's deadlines (`ConnectionDeadlines`): Hummingbird's
/// idle timer counts only the request parts it sees, and the checks answered here never reach it. And it reads no
/// more while the socket cannot take what was answered: a client that pipelines checks without reading the
/// answers would otherwise grow the server's memory by several times what it sends.
final class CheckFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let endpoints: Endpoints
    private var dates = HTTPDateCache()
    private(set) var lane: FastLane
    private let sweeper: ConnectionSweeper
    /// This loop's connections (which publish the time) and where this one is kept among them, while added.
    private var connections: LoopConnections?
    var sweepIndex = -1
    /// Kept for the sweep, which may close the connection; released when the handler is removed.
    private var context: ChannelHandlerContext?
    /// A read was asked for while the socket could not take more: done once it can.
    private var heldRead = false

    init(endpoints: Endpoints, sweeper: ConnectionSweeper) {
        self.endpoints = endpoints
        self.sweeper = sweeper
        self.lane = FastLane(
            idleTimeout: sweeper.idleTimeout, readHeaderTimeout: sweeper.readHeaderTimeout, connectedAt: .now())
    }

    /// The time the sweeper last published, not the clock: `ConnectionSweeper` says why.
    private var now: NIODeadline { connections?.now ?? .now() }

    // MARK: Deadlines

    func handlerAdded(context: ChannelHandlerContext) {
        // Added as the accepted connection is set up: the first head's deadline counts from here.
        self.context = context
        let connections = sweeper.connections(on: context.eventLoop)
        self.connections = connections
        sweepIndex = connections.add(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveSweep()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        leaveSweep()
        context.fireChannelInactive()
    }

    private func leaveSweep() {
        guard let connections, sweepIndex >= 0 else { return }
        connections.remove(at: sweepIndex)
        sweepIndex = -1
        self.connections = nil
    }

    /// A tick of the sweeper, on this loop: closes the connection when a deadline has passed by `time`.
    func sweep(at time: NIODeadline) {
        guard let context, let reason = lane.sweep(at: time) else { return }
        endpoints.metrics.connectionTimedOut(reason)
        context.close(promise: nil)
    }

    // MARK: Back-pressure

    /// Reads (asked for by auto-read or by Hummingbird) wait while the answers already written wait for the socket.
    func read(context: ChannelHandlerContext) {
        guard context.channel.isWritable else {
            heldRead = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        lane.writabilityChanged(writable: writable, at: now)
        if writable, heldRead {
            heldRead = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: What happens after the decoder (`HandedOnRequests`)

    func decoded(endsConnection: Bool) {
        lane.decoded(endsConnection: endsConnection)
    }

    func answerEnded() {
        lane.answerEnded(at: now)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = self.now
        switch lane.read(unwrapInboundIn(data)) {
        case .drop:
            return
        case .handOver:
            handOver(unwrapInboundIn(data), at: now, context: context)
        case .parse(var buffer):
            read(&buffer, at: now, context: context)
        }
    }

    private func read(_ buffer: inout ByteBuffer, at now: NIODeadline, context: ChannelHandlerContext) {
        while buffer.readableBytes > 0 {
            let reading = buffer.withUnsafeReadableBytes { RequestHead.read($0, searchFrom: lane.searched) }
            switch reading {
            case .incomplete:
                return lane.incomplete(buffer, at: now)
            case .unsupported:
                lane.unsupported()
                return handOver(buffer, at: now, context: context)
            case .complete(let head, let length):
                switch lane.complete(head) {
                case .handOver:
                    return handOver(buffer, at: now, context: context)
                case .judge:
                    let exchange = endpoints.begin(method: head.method, target: head.target, headers: head)
                    if exchange.isFinal {
                        buffer.moveReaderIndex(forwardBy: length)
                        guard write(endpoints.finish(exchange), to: head, context: context) else { return }
                        continue
                    }
                    handOn(buffer.readSlice(length: length)!, context: context)
                case .handOn:
                    handOn(buffer.readSlice(length: length)!, context: context)
                }
            }
        }
        lane.batchEnded(at: now)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        let (flush, propagate) = lane.readComplete()
        if flush { context.flush() }
        if propagate { context.fireChannelReadComplete() }
    }

    /// Exactly one head's bytes, to the decoder.
    private func handOn(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        lane.handedOn()
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// Bytes for the rest of the connection.
    private func handOver(_ bytes: ByteBuffer, at now: NIODeadline, context: ChannelHandlerContext) {
        let headsBefore = lane.willHandOver(bytes)
        context.fireChannelRead(wrapInboundOut(bytes))
        lane.didHandOver(headsBefore: headsBefore, at: now)
    }

    /// Writes the answer; false when the connection closes after it.
    private func write(_ answer: Answer, to head: RequestHead, context: ChannelHandlerContext) -> Bool {
        let keepAlive = head.isKeepAlive
        var buffer = context.channel.allocator.buffer(capacity: answer.http1Capacity)
        answer.writeHTTP1(
            into: &buffer, minorVersion: head.minorVersion, keepAlive: keepAlive, date: dates.current())
        guard lane.answered(keepAlive: keepAlive) else {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            context.close(promise: nil)
            return false
        }
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        return true
    }
}

extension Answer {
    /// The answer as HTTP/1 bytes: what NIO's `HTTPResponseEncoder` writes for the same head and body.
    ///
    /// Measured first, then copied in one pass into the buffer's memory: a `ByteBuffer` write per piece (forty for
    /// a login redirect, each with its capacity and exclusivity checks) cost more than the copying itself.
    func writeHTTP1(into buffer: inout ByteBuffer, minorVersion: Int, keepAlive: Bool, date: String) {
        let dynamicStatus =
            Self.statusLine(status) == nil
            ? "\(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n" : nil
        let contentLength = String(body.utf8.count)
        let connection: StaticString =
            !keepAlive ? "\r\nConnection: close" : minorVersion == 0 ? "\r\nConnection: keep-alive" : ""
        // Header values are checked while copied; an unsafe one is left out again, so this is an upper bound.
        var bound = 9 + (dynamicStatus?.utf8.count ?? Self.statusLine(status)!.utf8CodeUnitCount) + 16
        bound += contentLength.utf8.count + 8 + date.utf8.count + connection.utf8CodeUnitCount + 4 + body.utf8.count
        for header in headers { bound += header.name.utf8.count + header.value.utf8.count + 4 }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { memory in
            var out = ByteWriter(memory)
            out.write(minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            if let dynamicStatus { out.write(dynamicStatus) } else { out.write(Self.statusLine(status)!) }
            for header in headers {
                let start = out.offset
                out.write(header.name)
                out.write(": ")
                let valueStart = out.offset
                out.write(header.value)
                guard Self.isSafeHeaderValue(out.written(from: valueStart)) else {
                    out.offset = start
                    continue
                }
                out.write("\r\n")
            }
            out.write("Content-Length: ")
            out.write(contentLength)
            out.write("\r\nDate: ")
            out.write(date)
            out.write(connection)
            out.write("\r\n\r\n")
            out.write(body)
            return out.offset
        }
    }

    /// Room for the answer's bytes: its header fields and body, and 160 bytes for the status line, `Content-Length`,
    /// `Date`, `Connection` and the blank line (which take at most 150, with the longest reason phrase).
    var http1Capacity: Int {
        headers.reduce(160 + body.utf8.count) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// The statuses a check answers with, worded as NIO's table words them (a test compares).
    static func statusLine(_ status: Int) -> StaticString? {
        switch status {
        case 200: "200 OK\r\n"
        case 302: "302 Found\r\n"
        case 400: "400 Bad Request\r\n"
        case 401: "401 Unauthorized\r\n"
        case 403: "403 Forbidden\r\n"
        case 431: "431 Request Header Fields Too Large\r\n"
        case 503: "503 Service Unavailable\r\n"
        default: nil
        }
    }

    /// Identity header values are built without CR, LF or NUL (claims are sanitized); this keeps a slip from
    /// ever splitting a response. Hummingbird's writer has the same guarantee from HTTPTypes.
    static func isSafeHeaderValue(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // No early exit: the loop over a whole value compiles to vector compares (values are hundreds of bytes
        // on a redirect: the location and the sealed cookie).
        var unsafe: UInt8 = 0
        for byte in bytes { unsafe |= (byte == 0x0D ? 1 : 0) | (byte == 0x0A ? 1 : 0) | (byte == 0x00 ? 1 : 0) }
        return unsafe == 0
    }
}
