import ForwardAuth
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ForwardAuthServer

/// The connection's pipeline as the server assembles it: the two lanes are put around Hummingbird's own HTTP/1
/// handlers, which are found by type. If a Hummingbird release moves or renames them, this fails at once
/// instead of every connection failing in production.
@Suite struct CheckingHTTP1ChannelTests {
    @Test func theLanesArePlacedAroundHummingbirdsCodec() async throws {
        let endpoints = Endpoints.withLoadedProvider()
        let responder: HTTPChannelHandler.Responder = { _, _, _ in }
        let channel = NIOAsyncTestingChannel()
        let server = CheckingHTTP1Channel(
            base: HTTP1Channel(responder: responder), endpoints: endpoints,
            sweeper: ConnectionSweeper(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10)))
        let value = try await channel.eventLoop.flatSubmit {
            server.setup(channel: channel, logger: Logger(label: "test"))
        }.get()
        let names = try await channel.eventLoop.submit {
            let operations = channel.pipeline.syncOperations
            return try [
                operations.context(handlerType: CheckFastPathHandler.self).name,
                operations.context(handlerType: HTTPResponseEncoder.self).name,
                operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self).name,
                operations.context(handlerType: HandedOnRequests.self).name,
            ]
        }.get()
        // In this order: the fast lane reads the socket's bytes first and writes past the encoder; what it hands
        // on is decoded, then reported, then Hummingbird's.
        let pipeline = channel.pipeline.debugDescription
        let order = names.map { pipeline.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())

        // And it works: a check is answered from the bytes.
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4181)).get()
        try await channel.writeInbound(
            ByteBuffer(
                string:
                    "GET / HTTP/1.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /\r\n\r\n"
            ))
        channel.pipeline.fireChannelReadComplete()
        let written = try await channel.waitForOutboundWrite(as: IOData.self)
        guard case .byteBuffer(let buffer) = written else {
            Issue.record("a file region was written")
            return
        }
        #expect(String(buffer: buffer).hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        try await value.executeThenClose { _, outbound in outbound.finish() }
    }
}
