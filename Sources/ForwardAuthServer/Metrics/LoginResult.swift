import ForwardAuth

/// How a login callback ended, as the `result` label of `forward_auth_logins_total` counts it.
///
/// Read from the decision `LoginFlow.complete` returns: a redirect is a login, every failure is a page whose
/// status (and, where statuses are shared, title) tells which check refused it. `LoginResultTests` runs each
/// failure through the real flow, so a reworded page cannot silently become `other`.
enum LoginResult: Int, Sendable, CaseIterable {
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

    static let count = 9

    var label: String {
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

    init(callback decision: Decision) {
        switch decision {
        case .redirect:
            self = .success
        case .badRequest:
            self = .invalidRequest
        case .page(let page, _):
            switch (page.status, page.title) {
            case (400, _): self = .invalidRequest
            case (401, "Sign-in was not completed"): self = .providerDeclined
            case (401, "Sign-in expired"): self = .invalidState
            case (401, _): self = .invalidToken
            case (403, "Access denied"): self = .denied
            case (403, _): self = .missingEmail
            case (502, _), (503, _): self = .providerError
            default: self = .other
            }
        default:
            self = .other
        }
    }
}
