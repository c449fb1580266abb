/// Why an ID token was refused: one code per rule, so a log line and a test say exactly which check failed.
///
/// Compare with `==` against the static members (the code only). `description` is safe to log: it never
/// contains the token, the nonce or an email address; provider-controlled values (issuer, audience) are
/// printed reduced to printable ASCII and bounded.
public struct IDTokenError: Error, Hashable, CustomStringConvertible {
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
    func detail(_ text: String) -> IDTokenError { IDTokenError(code, detail: text) }

    public static let malformedToken = IDTokenError(.malformedToken)
    public static let algorithmNotAllowed = IDTokenError(.algorithmNotAllowed)
    public static let algorithmMismatch = IDTokenError(.algorithmMismatch)
    public static let criticalHeaderUnsupported = IDTokenError(.criticalHeaderUnsupported)
    public static let keysUnavailable = IDTokenError(.keysUnavailable)
    public static let unknownKeyIdentifier = IDTokenError(.unknownKeyIdentifier)
    public static let missingKeyIdentifier = IDTokenError(.missingKeyIdentifier)
    public static let signatureInvalid = IDTokenError(.signatureInvalid)
    public static let issuerMismatch = IDTokenError(.issuerMismatch)
    public static let audienceMissingClient = IDTokenError(.audienceMissingClient)
    public static let audienceUntrusted = IDTokenError(.audienceUntrusted)
    public static let authorizedPartyMismatch = IDTokenError(.authorizedPartyMismatch)
    public static let expirationMissing = IDTokenError(.expirationMissing)
    public static let expired = IDTokenError(.expired)
    public static let notYetValid = IDTokenError(.notYetValid)
    public static let issuedInFuture = IDTokenError(.issuedInFuture)
    public static let nonceMismatch = IDTokenError(.nonceMismatch)
    public static let subjectMissing = IDTokenError(.subjectMissing)
    public static let emailNotVerified = IDTokenError(.emailNotVerified)
    public static let emailVerifiedMalformed = IDTokenError(.emailVerifiedMalformed)
    public static let emailMissing = IDTokenError(.emailMissing)
    public static let emailNotAString = IDTokenError(.emailNotAString)
    public static let groupsMalformed = IDTokenError(.groupsMalformed)

    /// The token is fine but names no usable, verified email: the person, not the token, is the problem
    /// (a 403 page rather than a 401).
    public var isAboutEmail: Bool {
        switch code {
        case .emailNotVerified, .emailVerifiedMalformed, .emailMissing, .emailNotAString: true
        default: false
        }
    }

    /// We could not judge the token because no keys are loaded (the provider is unreachable): a 502/503, not
    /// the client's fault.
    public var isProviderUnavailable: Bool { code == .keysUnavailable }

    public var description: String {
        guard let detail else { return code.rawValue }
        return "\(code.rawValue): \(detail)"
    }

    public static func == (lhs: IDTokenError, rhs: IDTokenError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
