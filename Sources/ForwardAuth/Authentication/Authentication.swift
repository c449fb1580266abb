/// Who a request says it is, before any authorization: what `Authenticator` reads from it without waiting.
package enum Authentication: Sendable {
    /// A valid session cookie: ours, or (during a swap) the Go fork's.
    /// `due`: with `refresh-sessions`, when a navigation should renew it at Dex (and whose marker says not now).
    case session(Principal, Session.Source, refreshDue: RefreshDue?)
    /// No valid session, but an `Authorization: Bearer` ID token: `BearerAuthenticator` verifies it.
    case bearerToken(String)
    /// A credential refused unread (a Bearer token over the size bound): 401, whatever the client.
    case refused(reason: String)
    /// Neither: a browser logs in, other clients get 401.
    case anonymous
}

/// A refreshable session's soft end, and the session it belongs to (`RefreshMarker` is bound to it).
package struct RefreshDue: Sendable, Hashable {
    package var at: Int64
    /// The chain's first login: `refresh-max-age` counts from it.
    package var firstLogin: Int64
    package var sessionID: [UInt8]
}
