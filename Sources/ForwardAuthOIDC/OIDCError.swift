/// Why talking to the identity provider failed: discovery, keys or the token endpoint.
///
/// Compare with `==` against the static members (the code only; the detail is for people). `description` is
/// safe to log: it names URLs, statuses and OAuth error codes, never a token, a code or the client secret.
package struct OIDCError: Error, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case notLoaded = "the identity provider's discovery document is not loaded yet"
        case transportFailed = "the identity provider could not be reached"
        case unexpectedStatus = "the identity provider answered with an unexpected status"
        case responseTooLarge = "the identity provider's answer is larger than allowed"
        case invalidDiscoveryDocument = "the discovery document is not valid"
        case issuerMismatch = "the discovery document names another issuer"
        case invalidKeySet = "the JWKS is not valid"
        case noUsableKeys = "the JWKS holds no usable signing key"
        case tokenEndpointError = "the token endpoint refused the request"
        case invalidTokenResponse = "the token endpoint's answer is not valid"
        case missingIDToken = "the token endpoint's answer has no id_token"
    }

    private let code: Code
    private let detail: String?

    private init(_ code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// The same error with a detail for the log. Callers pass only values that are safe to print.
    package func detail(_ text: String) -> OIDCError { OIDCError(code, detail: text) }

    package static let notLoaded = OIDCError(.notLoaded)
    package static let transportFailed = OIDCError(.transportFailed)
    package static let unexpectedStatus = OIDCError(.unexpectedStatus)
    package static let responseTooLarge = OIDCError(.responseTooLarge)
    package static let invalidDiscoveryDocument = OIDCError(.invalidDiscoveryDocument)
    package static let issuerMismatch = OIDCError(.issuerMismatch)
    package static let invalidKeySet = OIDCError(.invalidKeySet)
    package static let noUsableKeys = OIDCError(.noUsableKeys)
    package static let tokenEndpointError = OIDCError(.tokenEndpointError)
    package static let invalidTokenResponse = OIDCError(.invalidTokenResponse)
    package static let missingIDToken = OIDCError(.missingIDToken)

    package var description: String {
        guard let detail else { return code.rawValue }
        return "\(code.rawValue): \(detail)"
    }

    package static func == (lhs: OIDCError, rhs: OIDCError) -> Bool { lhs.code == rhs.code }
    package func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
