import AsyncHTTPClient
import ForwardAuthConfiguration
import ForwardAuthWire
import NIOCore
import NIOSSL

extension HTTPClient {
    /// The client of each outbound service (the identity provider, the Kubernetes API), configured in one place:
    /// never `HTTPClient.shared` (which follows 20 redirects and waits 90 s). Redirects off, HTTP/1.1, bounded
    /// connect and read times; the PEM file's certificates, when given, replace the system's trust roots (like Go:
    /// in-cluster Dex and the API server are signed by the cluster CA). Shut it down with the service that made it.
    ///
    /// - Parameter proxy: the proxy every request of this client goes through (`OutboundClients` picks the client
    ///   by URL); nil connects directly.
    static func outbound(
        caCertificateFile: String?, connect: TimeAmount, read: TimeAmount, proxy: ProxyServer? = nil
    ) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caCertificateFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificateFile))
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: connect, read: read))
        configuration.httpVersion = .http1Only
        configuration.proxy = proxy.map(HTTPClient.Configuration.Proxy.init)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

extension HTTPClient.Configuration.Proxy {
    /// AsyncHTTPClient's form of a proxy: an HTTP proxy tunnels every request with `CONNECT` (sending the
    /// credentials as `Proxy-Authorization: Basic`); a SOCKS5 proxy gets no credentials (refused at start).
    init(_ server: ProxyServer) {
        switch server.kind {
        case .http:
            let authorization = server.credentials.map {
                HTTPClient.Authorization.basic(username: $0.username, password: $0.password.revealString())
            }
            self = .server(host: server.host, port: server.port, authorization: authorization)
        case .socks5:
            self = .socksServer(host: server.host, port: server.port)
        }
    }
}
