/// Told what the OIDC client did that operators count (the server module turns it into metrics), so the domain
/// needs no metrics library.
///
/// Called on the client's actor while it works: an implementation must return at once (no I/O, no waiting).
package protocol OIDCClientObserver: Sendable {
    /// A JWKS fetch ended: `error` is nil when the keys were replaced, else why they were not (the old keys
    /// stay in use).
    func keySetFetched(error: OIDCError?)

    /// An ID token (a callback's or a Bearer token) was refused, for `reason`. On the request path: count and
    /// return.
    func idTokenRefused(_ reason: IDTokenError.Reason)
}

extension OIDCClientObserver {
    package func idTokenRefused(_ reason: IDTokenError.Reason) {}
}
