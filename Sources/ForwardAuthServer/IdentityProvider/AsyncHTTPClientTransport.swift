import AsyncHTTPClient
import ForwardAuthConfiguration
import ForwardAuthOIDC
import Foundation
import NIOCore
import NIOHTTP1

/// The identity provider's transport: our own AsyncHTTPClients (`HTTPClient.outbound`: redirects off, short
/// timeouts, trust roots from `SSL_CERT_FILE` when given; direct or through the proxy `OutboundProxy` names for
/// the URL), with bounded bodies.
final class AsyncHTTPClientTransport: HTTPTransport {
    private let clients: OutboundClients
    private let timeout: TimeAmount

    init(caCertificateFile: String?, proxy: OutboundProxy = .direct, timeout: TimeAmount = .seconds(10)) throws {
        self.clients = try OutboundClients(
            proxy: proxy, caCertificateFile: caCertificateFile, connect: .seconds(5), read: timeout)
        self.timeout = timeout
    }

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        var outbound = HTTPClientRequest(url: request.url.absoluteString)
        outbound.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await clients.client(for: outbound.url).execute(outbound, timeout: timeout)
        let body = try await response.body.collect(upTo: request.responseBodyLimit)
        return OutboundResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: body))
    }

    func shutdown() async throws {
        try await clients.shutdown()
    }
}
