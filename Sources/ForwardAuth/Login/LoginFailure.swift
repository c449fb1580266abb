import ForwardAuthOIDC
import ForwardAuthWire

/// Why a login did not start or finish: one value per reason, which renders the page a person reads and names
/// the `result` label of `forward_auth_logins_total`. The detail for the log line is said where it happens.
package enum LoginFailure: Sendable, Hashable {
    /// The provider sent the browser back with `?error=` (the user cancelled, or the provider refused).
    case providerDeclined(error: String)
    /// The callback had no code or state.
    case incompleteCallback
    /// The state matches no login started in this browser, or it expired.
    case stateMismatch
    /// The provider's discovery has not loaded: a login cannot start.
    case providerUnreachable
    /// The token endpoint failed or could not be reached, or the provider's answer was unusable.
    case providerError
    /// The ID token failed verification (signature, issuer, audience, nonce, times).
    case invalidToken
    /// The ID token has no verified email address.
    case missingEmail
    /// The email holds `:`, which Kubernetes reserves for service accounts and nodes.
    case reservedEmail
    /// Signed in at the provider, but the allow-lists refuse this user.
    case notAllowed(user: String)

    /// A login error from the provider's side of the callback.
    package init(_ error: LoginError) {
        switch error.kind {
        case .providerUnavailable: self = .providerError
        case .invalidToken: self = .invalidToken
        case .missingEmail: self = .missingEmail
        }
    }

    package var result: LoginResult {
        switch self {
        case .providerDeclined: .providerDeclined
        case .incompleteCallback: .invalidRequest
        case .stateMismatch: .invalidState
        case .providerUnreachable, .providerError: .providerError
        case .invalidToken: .invalidToken
        case .missingEmail: .missingEmail
        case .reservedEmail, .notAllowed: .denied
        }
    }

    package var page: Page {
        switch self {
        case .providerDeclined(let error):
            Page(
                status: 401, title: "Sign-in was not completed",
                message:
                    "The identity provider did not sign you in (\(loggable(error))). Go back to the page you wanted and try again."
            )
        case .incompleteCallback:
            Page(
                status: 400, title: "Incomplete sign-in",
                message: "This sign-in link is incomplete. Go back to the page you wanted and sign in again.")
        case .stateMismatch:
            Page(
                status: 401, title: "Sign-in expired",
                message:
                    "This sign-in was started in another browser or took too long. Go back to the page you wanted and sign in again."
            )
        case .providerUnreachable:
            Page(
                status: 503, title: "Sign-in unavailable",
                message:
                    "The identity provider cannot be reached right now, so you cannot sign in. Please try again in a minute."
            )
        case .providerError:
            Page(
                status: 502, title: "Sign-in failed",
                message: "The identity provider did not answer as expected. Please try again in a minute.")
        case .invalidToken:
            Page(
                status: 401, title: "Sign-in failed",
                message: "The identity provider's answer could not be verified, so you were not signed in.")
        case .missingEmail:
            Page(
                status: 403, title: "Sign-in failed",
                message: "Your account has no verified email address, which this site needs to know who you are.")
        case .reservedEmail:
            Page(
                status: 403, title: "Access denied",
                message: "This account's email address cannot be used here. Ask your administrator.")
        case .notAllowed(let user):
            Page(
                status: 403, title: "Access denied",
                message: "You signed in as \(user), but this account is not allowed here.")
        }
    }
}
