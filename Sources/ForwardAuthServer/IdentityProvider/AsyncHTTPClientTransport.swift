import AsyncHTTPClient
import ForwardAuthOIDC
import Foundation
import NIOCore
import NIOHTTP1

/// The identity provider's transport: our own AsyncHTTPClient (`HTTPClient.outbound`: redirects off, short timeouts,
/// trust roots from `SSL_CERT_FILE` when given), with bounded bodies.
final class AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient
    private let timeout: TimeAmount

    init(caCertificateFile: String?, timeout: TimeAmount = .seconds(10)) throws {
        self.client = try .outbound(caCertificateFile: caCertificateFile, connect: .seconds(5), read: timeout)
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
