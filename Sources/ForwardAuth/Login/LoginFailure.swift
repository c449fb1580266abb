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
    /// The ID token failed verification (signature, issuer, audience, nonce, times): the check that refused it.
    case invalidToken(IDTokenError.Reason?)
    /// The ID token has no verified email address: the claim that said so.
    case missingEmail(IDTokenError.Reason?)
    /// The email holds `:`, which Kubernetes reserves for service accounts and nodes.
    case reservedEmail
    /// Signed in at the provider, but the allow-lists refuse this user.
    case notAllowed(user: String)
    /// `<url-path>/sso` was asked to post to a callback not in `sso-broker-callbacks`: nothing is posted.
    case brokerCallbackNotListed
    /// A brokered sign-in refused at the attached instance: the page also links to `url`, where a login at the
    /// provider itself starts (`LoginFlow.directLoginCookie`).
    indirect case offeringDirectLogin(LoginFailure, url: String)

    /// A login error from the provider's side of the callback.
    package init(_ error: LoginError) {
        switch error.kind {
        case .providerUnavailable: self = .providerError
        case .invalidToken: self = .invalidToken(error.tokenReason)
        case .missingEmail: self = .missingEmail(error.tokenReason)
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
        case .brokerCallbackNotListed: .invalidRequest
        case .offeringDirectLogin(let failure, _): failure.result
        }
    }

    /// The check that refused the ID token, for the `claim` label of `forward_auth_logins_total`.
    package var tokenReason: IDTokenError.Reason? {
        switch self {
        case .invalidToken(let reason), .missingEmail(let reason): reason
        case .offeringDirectLogin(let failure, _): failure.tokenReason
        default: nil
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
        case .invalidToken(let reason):
            Page(
                status: 401, title: "Sign-in failed",
                message:
                    "The identity provider's answer could not be verified\(Self.naming(reason)), so you were not signed in."
            )
        case .missingEmail(let reason):
            Page(
                status: 403, title: "Sign-in failed",
                message:
                    "Your account has no verified email address\(Self.naming(reason)), which this site needs to know who you are."
            )
        case .reservedEmail:
            Page(
                status: 403, title: "Access denied",
                message: "This account's email address cannot be used here. Ask your administrator.")
        case .notAllowed(let user):
            Page(
                status: 403, title: "Access denied",
                message: "You signed in as \(user), but this account is not allowed here.")
        case .brokerCallbackNotListed:
            Page(
                status: 400, title: "Sign-in link not accepted",
                message:
                    "This sign-in link asks to sign you in to a site this cluster is not configured to sign in to. Go back to the page you wanted and try again, or ask your administrator (sso-broker-callbacks)."
            )
        case .offeringDirectLogin(let failure, let url):
            failure.page.linking(to: url, text: "Sign in at the identity provider directly")
        }
    }

    /// ` (its "aud" claim)` for the page: the operator's first clue, safe to show (a claim's name, never its
    /// value); ` (its signature)`-like words where the token failed before its claims.
    private static func naming(_ reason: IDTokenError.Reason?) -> String {
        guard let reason else { return "" }
        if let claim = reason.claim { return " (the ID token's \"\(claim)\" claim)" }
        switch reason {
        case .signature: return " (the ID token's signature)"
        case .unknownKey, .keysUnavailable: return " (the ID token's signing key)"
        default: return " (the ID token's form)"
        }
    }
}
