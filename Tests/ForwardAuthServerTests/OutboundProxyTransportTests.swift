import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// The provider's transport picks its client by URL: through the proxy with its credentials, or direct.
@Suite("Outbound proxy: the transport")
struct OutboundProxyTransportTests {
    /// A proxy that reads one request head per connection, keeps it, and refuses with 407.
    final class RefusingProxy: Sendable {
        let heads = Mutex<[String]>([])
        /// Each head as it arrives, for a test that waits for the first.
        let arrivals: AsyncStream<String>
        private let arrived: AsyncStream<String>.Continuation
        private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

        var port: Int { channel.channel.localAddress?.port ?? 0 }

        init() async throws {
            (arrivals, arrived) = AsyncStream.makeStream()
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0) { child in
                    child.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                    }
                }
        }

        func serve() async throws {
            try await channel.executeThenClose { connections in
                for try await connection in connections {
                    try? await connection.executeThenClose { input, output in
                        var head = ""
                        for try await chunk in input {
                            head += String(buffer: chunk)
                            if head.contains("\r\n\r\n") { break }
                        }
                        heads.withLock { $0.append(head) }
                        arrived.yield(head)
                        try await output.write(
                            ByteBuffer(
                                string: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n"
                                    + "Connection: close\r\n\r\n"))
                    }
                }
            }
        }

        func stop() {
            arrived.finish()
            channel.channel.close(promise: nil)
        }

        /// The first head this proxy reads, or nil when `request` ends before one arrives; `request` is cancelled
        /// either way.
        func firstHead<T>(cancelling request: Task<T, any Error>) async -> String? {
            await withTaskGroup(of: String?.self) { race in
                race.addTask { await self.arrivals.first { _ in true } }
                race.addTask {
                    _ = await request.result
                    return nil
                }
                let first = await race.next() ?? nil
                request.cancel()
                race.cancelAll()
                return first
            }
        }
    }

    // AsyncHTTPClient retries a failed connection until the request's deadline, then throws the last error: a
    // transport with a short timeout ends each refused request in a second.
    static func request(_ url: String) throws -> OutboundRequest {
        OutboundRequest(method: "GET", url: try #require(URL(string: url)), responseBodyLimit: 1024)
    }

    @Test func httpsGoesThroughTheProxyWithItsCredentials() async throws {
        let proxy = try await RefusingProxy()
        let server = ProxyServer(
            kind: .http, host: "127.0.0.1", port: proxy.port,
            credentials: .init(username: "fa", password: Secret("s3cret:pass")))
        // A long deadline: on a loaded machine (CI starts every suite at once) the connection to the proxy alone
        // once took longer than a second. AsyncHTTPClient retries after the proxy's 407 until the deadline, so
        // the request is cancelled as soon as the proxy has read what it was sent, which is what this test is about.
        let transport = try AsyncHTTPClientTransport(
            caCertificateFile: nil, proxy: OutboundProxy(httpProxy: nil, httpsProxy: server, noProxy: .empty),
            timeout: .seconds(30))
        let head = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await proxy.serve() }
            // A name that resolves nowhere: only the proxy is asked to reach it.
            let url = "https://dex.forward-auth.invalid:8443/dex/keys"
            let request = Task { try await transport.send(Self.request(url)) }
            let head = await proxy.firstHead(cancelling: request)
            if case .success = await request.result {
                Issue.record("a proxy that answers 407 let the request through")
            }
            proxy.stop()
            try await group.waitForAll()
            return head
        }
        try await transport.shutdown()
        let sent = try #require(head)
        #expect(sent.hasPrefix("CONNECT dex.forward-auth.invalid:8443 HTTP/1.1\r\n"))
        let expected = "Basic " + Data("fa:s3cret:pass".utf8).base64EncodedString()
        #expect(sent.lowercased().contains("proxy-authorization: \(expected.lowercased())\r\n"))
    }

    @Test func noProxyAndLoopbackGoDirect() async throws {
        let proxy = try await RefusingProxy()
        let server = ProxyServer(kind: .http, host: "127.0.0.1", port: proxy.port)
        let transport = try AsyncHTTPClientTransport(
            caCertificateFile: nil,
            proxy: OutboundProxy(httpProxy: server, httpsProxy: server, noProxy: NoProxyList("forward-auth.invalid")),
            timeout: .seconds(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await proxy.serve() }
            // Direct: the name does not resolve (not a 407 from the proxy).
            await #expect {
                _ = try await transport.send(Self.request("http://dex.forward-auth.invalid/"))
            } throws: { error in
                (error as? HTTPClientError) != .proxyAuthenticationRequired
            }
            // Direct to a closed loopback port: refused, not a 407.
            await #expect {
                _ = try await transport.send(Self.request("http://127.0.0.1:1/"))
            } throws: { error in
                (error as? HTTPClientError) != .proxyAuthenticationRequired
            }
            proxy.stop()
            try await group.waitForAll()
        }
        try await transport.shutdown()
        #expect(proxy.heads.withLock { $0.isEmpty })
    }
}
