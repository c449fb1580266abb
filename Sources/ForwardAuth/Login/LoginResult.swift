import ForwardAuthOIDC

/// How a login callback ended, as the `result` label of `forward_auth_logins_total` counts it.
///
/// Read from the decision `LoginFlow.complete` returns: a redirect is a login, a failure names its result
/// (`LoginFailure.result`). `LoginResultTests` runs each failure through the real server.
package enum LoginResult: Int, Sendable, CaseIterable {
    /// Signed in: a session was issued.
    case success
    /// Signed in at the provider, but the access policy refused the user.
    case denied
    /// The callback had no code or state, or its forwarded headers were malformed.
    case invalidRequest
    /// The state matches no login started in this browser, or it expired.
    case invalidState
    /// The provider sent the browser back with `?error=` (the user cancelled, or the provider refused).
    case providerDeclined
    /// The token endpoint failed or could not be reached.
    case providerError
    /// The ID token failed verification (signature, issuer, audience, nonce, times).
    case invalidToken
    /// The ID token has no verified email address.
    case missingEmail
    /// Anything else (an answer this classification does not know).
    case other

    package static let count = 9

    package var label: String {
        switch self {
        case .success: "success"
        case .denied: "denied"
        case .invalidRequest: "invalid_request"
        case .invalidState: "invalid_state"
        case .providerDeclined: "provider_declined"
        case .providerError: "provider_error"
        case .invalidToken: "invalid_token"
        case .missingEmail: "missing_email"
        case .other: "other"
        }
    }

    /// The result of the callback that answered `decision`.
    package init(callback decision: Decision) {
        switch decision {
        case .redirect, .navigate: self = .success
        case .loginFailed(let failure, _): self = failure.result
        case .badRequest: self = .invalidRequest
        // The callback answers with the broker's form only for a user its allow-lists refused.
        case .brokerForm: self = .denied
        default: self = .other
        }
    }
}

extension Decision {
    /// For a callback refused over its ID token, the check that refused it (the `claim` label).
    package var tokenReason: IDTokenError.Reason? {
        if case .loginFailed(let failure, _) = self { return failure.tokenReason }
        return nil
    }
}
