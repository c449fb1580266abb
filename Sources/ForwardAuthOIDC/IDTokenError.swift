/// Why an ID token was refused: one code per rule, so a log line and a test say exactly which check failed.
///
/// Compare with `==` against the static members (the code only). `description` is safe to log: it never
/// contains the token, the nonce or an email address; provider-controlled values (issuer, audience) are
/// printed reduced to printable ASCII and bounded.
package struct IDTokenError: Error, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        // Token and header
        case malformedToken = "the token is not a well-formed JWT"
        case algorithmNotAllowed = "the token's signing algorithm is not allowed"
        case algorithmMismatch = "the token's algorithm is not the one its key is for"
        case criticalHeaderUnsupported = "the token has a critical header extension we do not support"
        case keysUnavailable = "no signing keys are loaded"
        case unknownKeyIdentifier = "the token's kid is not in the provider's JWKS"
        case missingKeyIdentifier = "the token has no kid and the JWKS holds several keys"
        case signatureInvalid = "the token's signature does not verify"
        // Claims
        case issuerMismatch = "iss is not the configured issuer"
        case audienceMissingClient = "aud does not contain the client id"
        case audienceUntrusted = "aud contains an audience that is not trusted"
        case authorizedPartyMismatch = "azp is not the client id or a trusted audience"
        case expirationMissing = "the token has no numeric exp"
        case expired = "the token has expired"
        case notYetValid = "the token's nbf is in the future"
        case issuedInFuture = "the token's iat is in the future"
        case nonceMismatch = "nonce is not the one this login sent"
        case subjectMissing = "the token has no sub"
        case emailNotVerified = "email_verified is false"
        case emailVerifiedMalformed = "email_verified is neither a boolean nor \"true\"/\"false\""
        case emailMissing = "the token has no email claim"
        case emailNotAString = "the token's email claim is not a non-empty string"
        case groupsMalformed = "the groups claim is neither a string nor an array of strings"
    }

    private let code: Code
    private let detail: String?

    private init(_ code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    /// The same error with a detail for the log. Callers pass only values that are safe to print.
    package func detail(_ text: String) -> IDTokenError { IDTokenError(code, detail: text) }

    package static let malformedToken = IDTokenError(.malformedToken)
    package static let algorithmNotAllowed = IDTokenError(.algorithmNotAllowed)
    package static let algorithmMismatch = IDTokenError(.algorithmMismatch)
    package static let criticalHeaderUnsupported = IDTokenError(.criticalHeaderUnsupported)
    package static let keysUnavailable = IDTokenError(.keysUnavailable)
    package static let unknownKeyIdentifier = IDTokenError(.unknownKeyIdentifier)
    package static let missingKeyIdentifier = IDTokenError(.missingKeyIdentifier)
    package static let signatureInvalid = IDTokenError(.signatureInvalid)
    package static let issuerMismatch = IDTokenError(.issuerMismatch)
    package static let audienceMissingClient = IDTokenError(.audienceMissingClient)
    package static let audienceUntrusted = IDTokenError(.audienceUntrusted)
    package static let authorizedPartyMismatch = IDTokenError(.authorizedPartyMismatch)
    package static let expirationMissing = IDTokenError(.expirationMissing)
    package static let expired = IDTokenError(.expired)
    package static let notYetValid = IDTokenError(.notYetValid)
    package static let issuedInFuture = IDTokenError(.issuedInFuture)
    package static let nonceMismatch = IDTokenError(.nonceMismatch)
    package static let subjectMissing = IDTokenError(.subjectMissing)
    package static let emailNotVerified = IDTokenError(.emailNotVerified)
    package static let emailVerifiedMalformed = IDTokenError(.emailVerifiedMalformed)
    package static let emailMissing = IDTokenError(.emailMissing)
    package static let emailNotAString = IDTokenError(.emailNotAString)
    package static let groupsMalformed = IDTokenError(.groupsMalformed)

    /// The token is fine but names no usable, verified email: the person, not the token, is the problem
    /// (a 403 page rather than a 401).
    package var isAboutEmail: Bool {
        switch code {
        case .emailNotVerified, .emailVerifiedMalformed, .emailMissing, .emailNotAString: true
        default: false
        }
    }

    /// The check that refused the token, for metrics and the sign-in page.
    package var reason: Reason {
        switch code {
        case .malformedToken: .malformed
        case .algorithmNotAllowed, .algorithmMismatch, .criticalHeaderUnsupported: .header
        case .keysUnavailable: .keysUnavailable
        case .unknownKeyIdentifier, .missingKeyIdentifier: .unknownKey
        case .signatureInvalid: .signature
        case .issuerMismatch: .iss
        case .audienceMissingClient, .audienceUntrusted: .aud
        case .authorizedPartyMismatch: .azp
        case .expirationMissing, .expired: .exp
        case .notYetValid: .nbf
        case .issuedInFuture: .iat
        case .nonceMismatch: .nonce
        case .subjectMissing: .sub
        case .emailNotVerified, .emailVerifiedMalformed: .emailVerified
        case .emailMissing, .emailNotAString: .email
        case .groupsMalformed: .groups
        }
    }

    /// We could not judge the token because no keys are loaded (the provider is unreachable): a 502/503, not
    /// the client's fault.
    package var isProviderUnavailable: Bool { code == .keysUnavailable }

    package var description: String {
        guard let detail else { return code.rawValue }
        return "\(code.rawValue): \(detail)"
    }

    package static func == (lhs: IDTokenError, rhs: IDTokenError) -> Bool { lhs.code == rhs.code }
    package func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
