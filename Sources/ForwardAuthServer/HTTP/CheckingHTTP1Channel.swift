import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with the fast lane (`CheckFastPathHandler`) in front of the HTTP/1 codec and
/// `HandedOnRequests` right after the decoder: two lanes, the fast lane and Hummingbird.
///
/// Hummingbird's `additionalChannelHandlers` sit after its HTTPTypes codec, which would convert every check
/// first; Hummingbird keeps its whole pipeline (decoder limits, idle and graceful-shutdown handling) for what it
/// is handed. Its handlers are found by type: `CheckingHTTP1ChannelTests` fails loudly if they move.
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
            let encoder = try operations.context(handlerType: HTTPResponseEncoder.self)
            let fastLane = CheckFastPathHandler(endpoints: endpoints, sweeper: sweeper)
            try operations.addHandler(HandedOnRequests(reportingTo: fastLane), position: .after(decoder.handler))
            // Before the encoder, so that its answers' bytes go straight to the socket.
            try operations.addHandler(fastLane, position: .before(encoder.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with forwarded checks answered from the bytes on the event loop (`CheckFastPathHandler`).
    static func http1(checkingWith endpoints: Endpoints, sweeper: ConnectionSweeper) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            CheckingHTTP1Channel(base: HTTP1Channel(responder: responder), endpoints: endpoints, sweeper: sweeper)
        }
    }
}
