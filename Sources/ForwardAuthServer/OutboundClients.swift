import AsyncHTTPClient
import ForwardAuthConfiguration
import Foundation
import NIOCore

/// The HTTP clients of one outbound service, one per way out: direct, and one per distinct proxy of
/// `OutboundProxy` (an AsyncHTTPClient has a single proxy for all its requests). Each request takes the client
/// its URL calls for (Go's `ProxyFromEnvironment` rules). The owner shuts them all down.
final class OutboundClients: Sendable {
    let proxy: OutboundProxy
    private let direct: HTTPClient
    private let proxied: [ProxyServer: HTTPClient]

    init(proxy: OutboundProxy, caCertificateFile: String?, connect: TimeAmount, read: TimeAmount) throws {
        // The first client reads the CA file; once it has, the others cannot fail on it.
        let direct = try HTTPClient.outbound(caCertificateFile: caCertificateFile, connect: connect, read: read)
        var proxied: [ProxyServer: HTTPClient] = [:]
        do {
            for server in proxy.servers {
                proxied[server] = try HTTPClient.outbound(
                    caCertificateFile: caCertificateFile, connect: connect, read: read, proxy: server)
            }
        } catch {
            for client in [direct] + proxied.values { try? client.syncShutdown() }
            throw error
        }
        self.proxy = proxy
        self.direct = direct
        self.proxied = proxied
    }

    /// The client for a request to `url` (as AsyncHTTPClient is given it).
    func client(for url: String) -> HTTPClient {
        guard let target = URL(string: url), let server = proxy.server(for: target) else { return direct }
        return proxied[server] ?? direct
    }

    func shutdown() async throws {
        var failure: (any Error)?
        for client in [direct] + proxied.values {
            do { try await client.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
