import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// The default listener, like Go's `:4181`: IPv6 and IPv4 on one socket, or IPv4 where the host has no IPv6.
@Suite("Dual-stack listener")
struct DualStackListenerTests {
    /// Never asked: readiness is not what these tests look at.
    struct UnusedTransport: HTTPTransport {
        func send(_ request: OutboundRequest) async throws -> OutboundResponse { throw CancellationError() }
    }

    @Test func theDefaultIsTheIPv6Wildcard() {
        #expect(Configuration.testing().listenAddress == "::")
    }

    @Test(arguments: [
        ("::", WildcardListener.Support.dualStack, "::"), ("[::]", .dualStack, "::"),
        ("::", .ipv4Only(reason: "none"), "0.0.0.0"), ("[::]", .ipv4Only(reason: "none"), "0.0.0.0"),
        ("0.0.0.0", .dualStack, "0.0.0.0"), ("127.0.0.1", .ipv4Only(reason: "none"), "127.0.0.1"),
        ("::1", .ipv4Only(reason: "none"), "::1"), ("fd00::5", .dualStack, "fd00::5"),
    ])
    func bindsTheWildcardTheHostCanServe(configured: String, support: WildcardListener.Support, expected: String) {
        #expect(WildcardListener.host(for: configured, support: support) == expected)
    }

    /// The application as the command builds it with the default address (port 0), answering /healthz on
    /// 127.0.0.1 and, when the host has IPv6, on [::1].
    @Test func theDefaultAnswersOnIPv4AndIPv6Loopback() async throws {
        var configuration = Configuration.testing()
        configuration.port = 0
        let listening = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(
            configuration: configuration, transport: UnusedTransport(),
            onServerRunning: { port in listening.continuation.yield(port) }, logger: Logger(label: "dual-stack-test"))
        let group = ServiceGroup(services: [app], logger: Logger(label: "dual-stack-test"))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            var ports = listening.stream.makeAsyncIterator()
            let port = try #require(await ports.next())
            do {
                try await Self.expectAnswers(client: client, port: port, ipv6: WildcardListener.probe() == .dualStack)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await client.shutdown()
    }

    static func expectAnswers(client: HTTPClient, port: Int, ipv6 expected: Bool) async throws {
        let ipv4 = try await client.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(5))
        #expect(ipv4.status == .ok)
        let ipv6 = HTTPClientRequest(url: "http://[::1]:\(port)/healthz")
        if expected {
            #expect(try await client.execute(ipv6, timeout: .seconds(5)).status == .ok)
        } else {
            // Without IPv6 the listener is 0.0.0.0: ::1 has nothing to answer.
            await #expect(throws: (any Error).self) { _ = try await client.execute(ipv6, timeout: .seconds(5)) }
        }
    }
}
