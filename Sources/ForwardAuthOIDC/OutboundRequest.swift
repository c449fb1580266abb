import Foundation

/// An HTTP request to the identity provider (discovery, JWKS or token endpoint).
package struct OutboundRequest: Sendable {
    package var method: String
    package var url: URL
    /// In order; a name may repeat.
    package var headers: [(String, String)]
    package var body: [UInt8]?
    /// The most body bytes the caller accepts in the response; the transport stops reading beyond it.
    package var responseBodyLimit: Int
    /// Which of the provider's endpoints this is for, so a transport can count and time requests by kind.
    package var endpoint: ProviderEndpoint

    package init(
        method: String, url: URL, headers: [(String, String)] = [], body: [UInt8]? = nil,
        responseBodyLimit: Int = OutboundRequest.defaultResponseBodyLimit, endpoint: ProviderEndpoint = .other
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.responseBodyLimit = responseBodyLimit
        self.endpoint = endpoint
    }

    /// 1 MiB: far above a discovery document, a JWKS or a token response, far below trouble.
    package static let defaultResponseBodyLimit = 1 << 20

    /// The first value of a header, names compared case-insensitively.
    package func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}
