import ForwardAuthWire
import NIOCore
import NIOHTTP1

/// Sits right after NIO's HTTP/1 decoder and before Hummingbird: tells the fast lane (`CheckFastPathHandler`) of
/// each request handed on and each answer Hummingbird ended, which keeps pipelined answers in order and the
/// connection's deadlines right. Answers nothing itself.
///
/// It also keeps from Hummingbird what would be misread there: an absolute-form target (HTTPTypes would turn
/// `http://host/` into the path `/`, which passes for a proxy's auth subrequest), a protocol switch, which is
/// answered and then closes the connection, and HTTP/1.0, which HTTPTypes does not carry: Hummingbird would answer
/// `HTTP/1.1` and keep a connection open that HTTP/1.0 closes. Answers go out as the fast lane writes them: in the
/// request's version, with `Connection: close` when the connection closes after them and `Connection: keep-alive`
/// when HTTP/1.0 asked to keep it.
final class HandedOnRequests: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let fastLane: CheckFastPathHandler
    /// The version of each request handed on whose answer has not ended, and whether the connection stays open
    /// after it; in order.
    private var owed: [(version: HTTPVersion, keepAlive: Bool)] = []

    init(reportingTo fastLane: CheckFastPathHandler) {
        self.fastLane = fastLane
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            return context.fireChannelRead(data)
        }
        // We never switch protocols: answered, then closed.
        let endsConnection = head.method == .CONNECT || head.headers.contains(name: "Upgrade")
        if endsConnection { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        // `*` keeps it what the other readers see: not `/`, no valid path.
        if !Self.isOriginForm(head.uri) { head.uri = "*" }
        // `close` wins over `keep-alive` (RFC 9112 §9.3), as on the fast lane; NIO's `isKeepAlive` lets an HTTP/1.0
        // `keep-alive` win.
        let keepAlive =
            head.isKeepAlive
            && !head.headers[canonicalForm: "Connection"].contains { $0.caseInsensitiveEquals("close") }
        // Hummingbird closes after the answer only when told so in a header.
        if !keepAlive, !endsConnection { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        owed.append((head.version, keepAlive))
        fastLane.decoded(endsConnection: endsConnection)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// Hummingbird's writes pass here on their way out; the end of one is an answer owed no longer.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            // The usual answer (HTTP/1.1, kept alive) goes out untouched: a changed head is a copy of its storage.
            guard let request = owed.first, !request.keepAlive || request.version != head.version else {
                return context.write(data, promise: promise)
            }
            head.version = request.version
            if !request.keepAlive {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            } else if request.version.minor == 0 {
                head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let closes = owed.first.map { !$0.keepAlive } ?? false
            if !owed.isEmpty { owed.removeFirst() }
            fastLane.answerEnded()
            guard closes else { return context.write(data, promise: promise) }
            // Hummingbird would only shut its side and hold the socket until the client closes or the idle timeout
            // passes; the fast lane closes at once, and so does this.
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }

    /// A request target that starts with `/` (or is `*`): what every proxy sends. Absolute-form is not.
    static func isOriginForm(_ target: String) -> Bool {
        target.utf8.first == UInt8(ascii: "/") || target == "*"
    }
}
