import AsyncHTTPClient
import Foundation
import ForwardAuth
import NIOCore
import NIOHTTP1
import NIOSSL

/// The identity provider's transport: our own AsyncHTTPClient, never `HTTPClient.shared` (which follows 20
/// redirects and waits 90 s). Redirects off, short timeouts, bounded bodies; trust roots from `SSL_CERT_FILE`
/// when given (like Go, it replaces the system roots: in-cluster Dex is signed by the cluster CA).
final class AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient
    private let timeout: TimeAmount

    init(caCertificateFile: String?, timeout: TimeAmount = .seconds(10)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caCertificateFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caCertificateFile))
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: timeout))
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
    }

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        var outbound = HTTPClientRequest(url: request.url.absoluteString)
        outbound.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outbound, timeout: timeout)
        let body = try await response.body.collect(upTo: request.responseBodyLimit)
        return OutboundResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: body))
    }

    func shutdown() async throws {
        try await client.shutdown()
    }
}
