import AsyncHTTPClient
import ForwardAuthConfiguration
import NIOCore
import NIOSSL

extension HTTPClient {
    /// The client of each outbound service (the identity provider, the Kubernetes API), configured in one place:
    /// never `HTTPClient.shared` (which follows 20 redirects and waits 90 s). Redirects off, HTTP/1.1, bounded
    /// connect and read times; the PEM file's certificates, when given, replace the system's trust roots (like Go:
    /// in-cluster Dex and the API server are signed by the cluster CA). Shut it down with the service that made it.
    static func outbound(caCertificateFile: String?, connect: TimeAmount, read: TimeAmount) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caCertificateFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificateFile))
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: connect, read: read))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
