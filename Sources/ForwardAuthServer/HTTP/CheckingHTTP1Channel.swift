import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with `EventLoopCheckHandler` placed right after the HTTP/1 decoder.
///
/// Hummingbird's `additionalChannelHandlers` sit after its HTTPTypes codec, which would convert every check
/// first; here the check handler reads NIO's parts, and Hummingbird keeps its whole pipeline (decoder limits,
/// idle and graceful-shutdown handling) for what it is handed.
struct CheckingHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let endpoints: Endpoints

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let endpoints = self.endpoints
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(EventLoopCheckHandler(endpoints: endpoints), position: .after(decoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with forwarded checks answered on the event loop (`EventLoopCheckHandler`).
    static func http1(checkingWith endpoints: Endpoints) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            CheckingHTTP1Channel(base: HTTP1Channel(responder: responder), endpoints: endpoints)
        }
    }
}
