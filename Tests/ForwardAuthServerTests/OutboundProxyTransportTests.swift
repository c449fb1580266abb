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
        private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

        var port: Int { channel.channel.localAddress?.port ?? 0 }

        init() async throws {
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
                        try await output.write(
                            ByteBuffer(
                                string: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n"
                                    + "Connection: close\r\n\r\n"))
                    }
                }
            }
        }

        func stop() { channel.channel.close(promise: nil) }
    }

    // AsyncHTTPClient retries a failed connection until the request's deadline, then throws the last error: the
    // transports below use a short timeout so that each refused request ends in a second.
    static func request(_ url: String) throws -> OutboundRequest {
        OutboundRequest(method: "GET", url: try #require(URL(string: url)), responseBodyLimit: 1024)
    }

    @Test func httpsGoesThroughTheProxyWithItsCredentials() async throws {
        let proxy = try await RefusingProxy()
        let server = ProxyServer(
            kind: .http, host: "127.0.0.1", port: proxy.port,
            credentials: .init(username: "fa", password: Secret("s3cret:pass")))
        let transport = try AsyncHTTPClientTransport(
            caCertificateFile: nil, proxy: OutboundProxy(httpProxy: nil, httpsProxy: server, noProxy: .empty),
            timeout: .seconds(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await proxy.serve() }
            // A name that resolves nowhere: only the proxy is asked to reach it. Its 407 ends the request, or, on
            // a loaded machine, the deadline does while AsyncHTTPClient retries after it (CI saw that once); what
            // the proxy was sent, below, is what this test is about.
            await #expect {
                _ = try await transport.send(Self.request("https://dex.forward-auth.invalid:8443/dex/keys"))
            } throws: { error in
                [.proxyAuthenticationRequired, .deadlineExceeded].contains(error as? HTTPClientError)
            }
            proxy.stop()
            try await group.waitForAll()
        }
        try await transport.shutdown()
        let head = try #require(proxy.heads.withLock { $0.first })
        #expect(head.hasPrefix("CONNECT dex.forward-auth.invalid:8443 HTTP/1.1\r\n"))
        let expected = "Basic " + Data("fa:s3cret:pass".utf8).base64EncodedString()
        #expect(head.lowercased().contains("proxy-authorization: \(expected.lowercased())\r\n"))
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
