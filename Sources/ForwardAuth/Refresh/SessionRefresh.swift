/// What a refresh at the provider gave, in the terms a session is kept or ended by (Dex's rules,
/// docs/multi-cluster.md "Silent refresh").
package enum SessionRefresh: Sendable {
    /// New tokens. `identity`: the refreshed ID token's claims (nil when the provider sent no ID token and only
    /// userinfo's `subject` could be compared, as glewlwyd answers); `refreshToken`: the rotated token (nil:
    /// the old one stays valid).
    case refreshed(identity: Identity?, subject: String, idToken: String?, refreshToken: String?)
    /// The provider no longer honours this refresh token (Dex 400): keep the session to its hard end, and try
    /// no more with this token.
    case refused
    /// The user is gone or the connector failed (Dex 500, twice): end the session.
    case ended
    /// No usable answer (network, timeout, 502/503/504): keep the session; try again in a minute.
    case unavailable(String)
    /// An ID token came back that does not verify: keep the session to its hard end, refresh no more.
    case invalid(LoginError)
}

/// The tokens of a redeemed authorization code.
package struct RedeemedTokens: Sendable, Hashable {
    package var idToken: String
    /// Only with `offline_access` (`refresh-sessions`) and a connector that refreshes.
    package var refreshToken: String?

    package init(idToken: String, refreshToken: String? = nil) {
        self.idToken = idToken
        self.refreshToken = refreshToken
    }
}
