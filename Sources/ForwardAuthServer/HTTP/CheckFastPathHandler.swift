import ForwardAuth
import NIOCore
import NIOHTTP1

/// The check path's fast lane: reads Traefik's subrequests straight off the socket's bytes, before NIO's HTTP/1
/// decoder, and writes the answer's bytes straight to the socket, past NIO's encoder.
///
/// Why: NIO's decoder builds a `String` pair for every header field and its encoder another `HTTPHeaders`; for
/// an empty answer those took about half of the server's time per check (docs/benchmarks.md, "the event loop's
/// floor"). `RequestHead` reads a strict subset of HTTP/1 with fields left as byte ranges until asked for.
///
/// The rule that keeps it safe: bytes go on to the decoder only at request boundaries, untouched, and once
/// anything is unusual they all go on for the rest of the connection.
/// - A head outside `RequestHead`'s subset, over its limits, with a body or an upgrade, or with a method other than
///   `GET` and `HEAD`: this and every later byte go on (`handingOver`), and the decoder judges them as before this
///   handler existed.
/// - A whole bodiless head that is not answered here (not forwarded, `HEAD`, a Bearer token, the callback, …):
///   exactly its bytes go on, so the decoder is again at a boundary afterwards; `EventLoopCheckHandler` or
///   Hummingbird answers it.
/// - While a request that went on has no finished answer (`EventLoopCheckHandler.handedOn`), later pipelined
///   requests go on too, so answers stay in order.
///
/// Being first in the pipeline, it also keeps the connection's deadlines (`ConnectionDeadlines`): Hummingbird's
/// idle timer counts only the request parts it sees, and the checks answered here never reach it.
final class CheckFastPathHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let endpoints: Endpoints
    /// The handler after the decoder: it counts handed-on requests whose answer has not ended.
    private let checks: EventLoopCheckHandler
    private var dates = HTTPDateCache()
    /// Bytes of a head that has not fully arrived, and how far they are known to hold no end of head.
    private var pending: ByteBuffer?
    private var searched = 0
    /// Everything goes on to the decoder from now on.
    private var handingOver = false
    /// An answer here closed the connection: nothing after it is read.
    private var closing = false
    private var needsFlush = false
    /// Whether bytes went on to the decoder in this read batch: only then do the handlers after this one need
    /// to hear that the batch is complete (skipping it for batches answered here saves a walk down the pipeline;
    /// none of them keeps time by it: Hummingbird's idle timer counts request parts).
    private var handedOnInBatch = false
    private var deadlines: ConnectionDeadlines
    /// The last four bytes handed over, oldest first (handover only).
    private var streamTail: UInt32 = 0
    private let sweeper: ConnectionSweeper
    /// This loop's connections (which publish the time) and where this one is kept among them, while added.
    private var connections: LoopConnections?
    var sweepIndex = -1
    /// Kept for the sweep, which may close the connection; released when the handler is removed.
    private var context: ChannelHandlerContext?

    init(endpoints: Endpoints, checks: EventLoopCheckHandler, sweeper: ConnectionSweeper) {
        self.endpoints = endpoints
        self.checks = checks
        self.sweeper = sweeper
        self.deadlines = ConnectionDeadlines(
            idleTimeout: sweeper.idleTimeout, readHeaderTimeout: sweeper.readHeaderTimeout, connectedAt: .now())
    }

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
        guard !closing, let context else { return }
        if let ended = checks.takeLastAnswerEnd() { deadlines.answerEnded(at: ended) }
        guard case .close(let reason) = deadlines.verdict(at: time, awaitingAnswer: checks.handedOn > 0) else { return }
        endpoints.metrics.connectionTimedOut(reason)
        closing = true
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing { return }
        // The time the sweeper last published, not the clock: `ConnectionSweeper` says why.
        let now = connections?.now ?? .now()
        if handingOver {
            // After a protocol switch was asked for, nothing more is parsed: bytes would only pile up.
            if checks.endsConnection { return }
            return handOn(data, at: now, context: context)
        }
        var buffer = unwrapInboundIn(data)
        if var pending = self.pending {
            self.pending = nil
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        while buffer.readableBytes > 0 {
            let reading = buffer.withUnsafeReadableBytes { RequestHead.read($0, searchFrom: searched) }
            switch reading {
            case .incomplete:
                searched = buffer.readableBytes
                pending = buffer
                return deadlines.batchRead(at: now, endsInsideAHead: true)
            case .unsupported:
                return handOver(buffer, at: now, context: context)
            case .complete(let head, let length):
                searched = 0
                // Only what every proxy's subrequest uses: a method NIO's decoder refuses (`FOO`, `get`) must get
                // its 400 there, and what follows it must not overtake that answer.
                guard head.method == "GET" || head.method == "HEAD", !Self.hasBody(head) else {
                    return handOver(buffer, at: now, context: context)
                }
                if checks.handedOn == 0, Self.isAnswerable(head) {
                    let exchange = endpoints.begin(method: head.method, target: head.target, headers: head)
                    if exchange.isFinal {
                        buffer.moveReaderIndex(forwardBy: length)
                        guard write(endpoints.finish(exchange), to: head, context: context) else { return }
                        continue
                    }
                    // Judged already: the next handler need not judge it again before Hummingbird does.
                    checks.handOnNext = true
                }
                handOn(buffer.readSlice(length: length)!, context: context)
            }
        }
        deadlines.batchRead(at: now, endsInsideAHead: false)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        if handedOnInBatch || handingOver {
            handedOnInBatch = false
            context.fireChannelReadComplete()
        }
    }

    private func handOn(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        handedOnInBatch = true
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    private func handOver(_ buffer: ByteBuffer, at now: NIODeadline, context: ChannelHandlerContext) {
        handingOver = true
        handOn(wrapInboundOut(buffer), at: now, context: context)
    }

    /// Bytes for the rest of the connection. NIO's decoder keeps what it has not parsed to itself, so whether the
    /// bytes end between requests is read off the stream: a head finished in this batch, and the stream's last four
    /// bytes are the `CRLF CRLF` that ends a bodiless head (or a chunked body). Anything else (a partial head, body
    /// bytes, a request followed by part of the next) starts the header deadline; a connection whose last request
    /// had a `Content-Length` body is therefore closed after `read-header-timeout` of silence, not `idle-timeout`.
    private func handOn(_ data: NIOAny, at now: NIODeadline, context: ChannelHandlerContext) {
        let headsBefore = checks.headsRead
        unwrapInboundIn(data).withUnsafeReadableBytes { bytes in
            for byte in bytes.suffix(4) { streamTail = streamTail << 8 | UInt32(byte) }
        }
        handedOnInBatch = true
        context.fireChannelRead(data)
        let betweenRequests = checks.headsRead != headsBefore && streamTail == Self.endOfHead
        deadlines.batchRead(at: now, endsInsideAHead: !betweenRequests)
    }

    /// `CRLF CRLF` as the last four bytes of the stream, in `streamTail`.
    private static let endOfHead: UInt32 = 0x0D0A_0D0A

    /// A body (or a body of unknown length, or a protocol switch) means the decoder must see what follows.
    private static func hasBody(_ head: RequestHead) -> Bool {
        if head.contains("Transfer-Encoding") || head.contains("Upgrade") { return true }
        let lengths = head.values("Content-Length")
        return !lengths.isEmpty && lengths != ["0"]
    }

    /// As `EventLoopCheckHandler.isAnswerable`: forwarded and not `HEAD`.
    private static func isAnswerable(_ head: RequestHead) -> Bool {
        head.method != "HEAD" && head.contains("X-Forwarded-Host")
    }

    /// Writes the answer; false when the connection closes after it.
    private func write(_ answer: Answer, to head: RequestHead, context: ChannelHandlerContext) -> Bool {
        let keepAlive = head.isKeepAlive
        var buffer = context.channel.allocator.buffer(capacity: 256 + answer.body.utf8.count)
        answer.writeHTTP1(
            into: &buffer, minorVersion: head.minorVersion, keepAlive: keepAlive, date: dates.current())
        guard keepAlive else {
            closing = true
            context.writeAndFlush(wrapOutbound(buffer), promise: nil)
            context.close(promise: nil)
            return false
        }
        context.write(wrapOutbound(buffer), promise: nil)
        needsFlush = true
        return true
    }

    private func wrapOutbound(_ buffer: ByteBuffer) -> NIOAny { NIOAny(buffer) }
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
