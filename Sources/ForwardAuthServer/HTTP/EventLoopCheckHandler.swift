import ForwardAuth
import NIOCore
import NIOHTTP1

/// Answers forwarded checks on the event loop, right after the HTTP/1 decoder, before Hummingbird sees them:
/// no task hop, no conversion to HTTPTypes, no per-request logger (docs/benchmarks.md: Hummingbird's own floor,
/// an empty route, is below the throughput the check needs). Most checks never reach it: `CheckFastPathHandler`
/// answers Traefik's usual subrequest from the bytes; this answers the forwarded checks it hands over (a head
/// outside its strict subset, a connection that had a body), and counts the requests Hummingbird still owes an
/// answer, which both keep in order by.
///
/// A request is answered here when it is forwarded (has `X-Forwarded-Host`), has no body, is not `HEAD`, and
/// `Endpoints.begin` judged it finally. Everything else (probes, the callback, logout, Bearer tokens, logins
/// before discovery loaded) goes on to Hummingbird's responder, which renders with the same `Endpoints`.
final class EventLoopCheckHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: Endpoints
    private var dates = HTTPDateCache()
    /// Requests handed on whose response has not ended. While there is one, later (pipelined) requests are
    /// handed on too: Hummingbird answers in order, and an answer from here would overtake its answer.
    private(set) var handedOn = 0
    /// Heads the decoder has read, and when the last handed-on answer ended: `CheckFastPathHandler` keeps the
    /// connection's deadlines by them.
    private(set) var headsRead = 0
    private var lastAnswerEnd: NIODeadline?
    /// A request asked to switch protocols (`CONNECT`, `Upgrade`): NIO's decoder stops parsing after it and would
    /// keep every later byte, waiting for an upgrade that never comes. Its answer closes the connection, and
    /// `CheckFastPathHandler` drops what arrives until then.
    private(set) var endsConnection = false
    /// Set by `CheckFastPathHandler` when it has judged the next request already and found it needs waiting.
    var handOnNext = false
    /// Whether the body and end of the current request go on (handed on) or are dropped (answered here).
    private var handingOn = false
    /// Answers written since the last flush: flushed once per read batch, so pipelined checks share a syscall.
    private var needsFlush = false

    init(endpoints: Endpoints) {
        self.endpoints = endpoints
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var head):
            headsRead &+= 1
            if head.method == .CONNECT || head.headers.contains(name: "Upgrade") {
                // We never switch protocols: answered (by either lane), then closed.
                head.headers.replaceOrAdd(name: "Connection", value: "close")
                endsConnection = true
            }
            if !Self.isOriginForm(head.uri) {
                // HTTPTypes turns `http://host/` into the path `/`, which would pass for a proxy's auth
                // subrequest in Hummingbird. `*` keeps it what the other readers see: not `/`, no valid path.
                head.uri = "*"
            }
            let data = wrapInboundOut(.head(head))
            let judged = handOnNext
            handOnNext = false
            if handedOn == 0, !judged, Self.isAnswerable(head) {
                let exchange = endpoints.begin(
                    method: head.method.rawValue, target: head.uri, headers: NIORequestHeaders(headers: head.headers))
                if exchange.isFinal {
                    handingOn = false
                    write(endpoints.finish(exchange), to: head, context: context)
                    return
                }
            }
            handingOn = true
            handedOn += 1
            context.fireChannelRead(data)
        case .body, .end:
            if handingOn { context.fireChannelRead(data) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Hummingbird's writes pass here on their way out; the end of one closes a handed-on request.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), handedOn > 0 {
            handedOn -= 1
            lastAnswerEnd = .now()
        }
        context.write(data, promise: promise)
    }

    /// When the last handed-on answer ended, once.
    func takeLastAnswerEnd() -> NIODeadline? {
        defer { lastAnswerEnd = nil }
        return lastAnswerEnd
    }

    /// A request target that starts with `/` (or is `*`): what every proxy sends. Absolute-form is not.
    static func isOriginForm(_ target: String) -> Bool {
        target.utf8.first == UInt8(ascii: "/") || target == "*"
    }

    /// Forwarded, bodiless, not `HEAD` (whose answer carries no body, which Hummingbird's writer knows) and
    /// not an upgrade (the connection's fate is then the decoder's and Hummingbird's, as before this handler).
    private static func isAnswerable(_ head: HTTPRequestHead) -> Bool {
        guard head.method != .HEAD, head.headers.contains(name: "X-Forwarded-Host") else { return false }
        if head.headers.contains(name: "Transfer-Encoding") || head.headers.contains(name: "Upgrade") { return false }
        if let length = head.headers.first(name: "Content-Length") { return length == "0" }
        return true
    }

    private func write(_ answer: Answer, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(answer.headers.count + 3)
        for header in answer.headers where Answer.isSafeHeaderValue(header.value) {
            headers.add(name: header.name, value: header.value)
        }
        let bodyLength = answer.body.utf8.count
        headers.add(name: "Content-Length", value: String(bodyLength))
        headers.add(name: "Date", value: dates.current())
        let keepAlive = request.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version.minor == 0 {
            // HTTP/1.0 closes unless told otherwise.
            headers.add(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if bodyLength > 0 {
            var buffer = context.channel.allocator.buffer(capacity: bodyLength)
            buffer.writeString(answer.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            needsFlush = true
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        }
    }
}
