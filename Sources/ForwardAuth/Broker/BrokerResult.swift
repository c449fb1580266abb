/// How one step of the broker ended: the `result` label of `forward_auth_broker_total`.
package enum BrokerResult: Int, Sendable, CaseIterable {
    // The UI instance's `<url-path>/sso`.
    /// The token was posted to a listed callback.
    case delivered
    /// The session keeps no usable token (it did not fit the cookies, or expired): the attached instance was
    /// told to log in at the provider itself.
    case tokenUnavailable
    /// No UI session: the browser went to log in at the provider first.
    case loginRequired
    /// With `refresh-sessions`: the session's token was older than `sso-broker-max-age`; renewed at Dex first.
    case refreshFirst
    /// The callback is not in `sso-broker-callbacks`: nothing was posted.
    case refusedCallback
    /// A malformed request on either side (missing or repeated fields, a wrong content type, too large a body).
    case badRequest

    // The attached instance.
    /// An anonymous browser was sent to the broker instead of the provider.
    case redirected
    /// A delivered token was accepted and a session minted.
    case accepted
    /// The broker had no token to give (or the person chose to): a login at the provider started here.
    case fallback
    /// The state matches no login this browser started here, or it expired or was used.
    case invalidState
    /// The delivered token failed verification.
    case invalidToken
    /// The token verified, but this instance's allow-lists refuse the user.
    case denied

    package var label: String {
        switch self {
        case .delivered: "delivered"
        case .tokenUnavailable: "token_unavailable"
        case .loginRequired: "login_required"
        case .refreshFirst: "refresh_first"
        case .refusedCallback: "refused_callback"
        case .badRequest: "bad_request"
        case .redirected: "redirected"
        case .accepted: "accepted"
        case .fallback: "fallback"
        case .invalidState: "invalid_state"
        case .invalidToken: "invalid_token"
        case .denied: "denied"
        }
    }
}
