import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with `CheckFastPathHandler` in front of the HTTP/1 codec and
/// `EventLoopCheckHandler` right after the decoder.
///
/// Hummingbird's `additionalChannelHandlers` sit after its HTTPTypes codec, which would convert every check
/// first; here the check handler reads NIO's parts, and Hummingbird keeps its whole pipeline (decoder limits,
/// idle and graceful-shutdown handling) for what it is handed.
struct CheckingHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let endpoints: Endpoints
    /// Keeps `idle-timeout` and `read-header-timeout` for every connection.
    let sweeper: ConnectionSweeper

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let endpoints = self.endpoints
        let sweeper = self.sweeper
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let checks = EventLoopCheckHandler(endpoints: endpoints)
            try operations.addHandler(checks, position: .after(decoder.handler))
            // Before the encoder, so that its answers' bytes go straight to the socket.
            let encoder = try operations.context(handlerType: HTTPResponseEncoder.self)
            try operations.addHandler(
                CheckFastPathHandler(endpoints: endpoints, checks: checks, sweeper: sweeper),
                position: .before(encoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with forwarded checks answered on the event loop (`EventLoopCheckHandler`).
    static func http1(checkingWith endpoints: Endpoints, sweeper: ConnectionSweeper) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            CheckingHTTP1Channel(base: HTTP1Channel(responder: responder), endpoints: endpoints, sweeper: sweeper)
        }
    }
}
