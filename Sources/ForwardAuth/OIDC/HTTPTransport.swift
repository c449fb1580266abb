import Foundation

/// The OIDC client's only view of the network: one request out, one response back.
///
/// The server module implements it with AsyncHTTPClient (short timeouts, redirects off); tests implement it
/// in memory. An implementation must not follow redirects and must stop reading a body at
/// `OutboundRequest.responseBodyLimit` bytes (throwing), so a hostile or broken endpoint cannot make us buffer
/// without bound. Non-2xx answers are responses, not errors: the caller maps them.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}

/// An HTTP request to the identity provider (discovery, JWKS or token endpoint).
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: URL
    /// In order; a name may repeat.
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// The most body bytes the caller accepts in the response; the transport stops reading beyond it.
    public var responseBodyLimit: Int
    /// Which of the provider's endpoints this is for, so a transport can count and time requests by kind.
    public var endpoint: ProviderEndpoint

    public init(
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
    public static let defaultResponseBodyLimit = 1 << 20

    /// The first value of a header, names compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// What came back: status, headers and the (bounded) body.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
