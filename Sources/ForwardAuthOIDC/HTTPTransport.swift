import Foundation

/// The OIDC client's only view of the network: one request out, one response back.
///
/// The server module implements it with AsyncHTTPClient (short timeouts, redirects off); tests implement it
/// in memory. An implementation must not follow redirects and must stop reading a body at
/// `OutboundRequest.responseBodyLimit` bytes (throwing), so a hostile or broken endpoint cannot make us buffer
/// without bound. Non-2xx answers are responses, not errors: the caller maps them.
package protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}
