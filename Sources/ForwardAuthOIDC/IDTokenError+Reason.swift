extension IDTokenError {
    /// Which check refused a token, coarse enough for a metric label (`reason` of
    /// `forward_auth_token_verification_failures_total`, `claim` of `forward_auth_logins_total`): the claim's own
    /// name where a claim failed, else what about the token did.
    package enum Reason: Int, Sendable, CaseIterable {
        case malformed, header, keysUnavailable, unknownKey, signature
        case iss, aud, azp, exp, nbf, iat, nonce, sub, emailVerified, email, groups

        package var label: String {
            switch self {
            case .malformed: "malformed"
            case .header: "header"
            case .keysUnavailable: "keys_unavailable"
            case .unknownKey: "unknown_key"
            case .signature: "signature"
            case .iss: "iss"
            case .aud: "aud"
            case .azp: "azp"
            case .exp: "exp"
            case .nbf: "nbf"
            case .iat: "iat"
            case .nonce: "nonce"
            case .sub: "sub"
            case .emailVerified: "email_verified"
            case .email: "email"
            case .groups: "groups"
            }
        }

        /// The claim that failed, as the token spells it; nil when the token failed before its claims were read.
        package var claim: String? {
            switch self {
            case .malformed, .header, .keysUnavailable, .unknownKey, .signature: nil
            default: label
            }
        }
    }
}
