/// Who a request says it is, before any authorization: what `Authenticator` reads from it without waiting.
package enum Authentication: Sendable {
    /// A valid session cookie: ours, or (during a swap) the Go fork's.
    case session(Principal, Session.Source)
    /// No valid session, but an `Authorization: Bearer` ID token: `BearerAuthenticator` verifies it.
    case bearerToken(String)
    /// A credential refused unread (a Bearer token over the size bound): 401, whatever the client.
    case refused(reason: String)
    /// Neither: a browser logs in, other clients get 401.
    case anonymous
}
