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
        var buffer = context.channel.allocator.buffer(capacity: 256 + answer.body.utf8.count)
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
    func writeHTTP1(into buffer: inout ByteBuffer, minorVersion: Int, keepAlive: Bool, date: String) {
        buffer.writeStaticString(minorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        if let line = Self.statusLine(status) {
            buffer.writeStaticString(line)
        } else {
            buffer.writeString("\(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n")
        }
        for header in headers where Self.isSafeHeaderValue(header.value) {
            buffer.writeString(header.name)
            buffer.writeStaticString(": ")
            buffer.writeString(header.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(body.utf8.count))
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeString(date)
        if !keepAlive {
            buffer.writeStaticString("\r\nConnection: close")
        } else if minorVersion == 0 {
            // HTTP/1.0 closes unless told otherwise.
            buffer.writeStaticString("\r\nConnection: keep-alive")
        }
        buffer.writeStaticString("\r\n\r\n")
        buffer.writeString(body)
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
    static func isSafeHeaderValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            for byte in bytes where byte == 0x0D || byte == 0x0A || byte == 0x00 { return false }
            return true
        }
    }
}
