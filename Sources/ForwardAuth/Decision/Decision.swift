/// What to answer the proxy. The domain decides; the HTTP layer only renders.
package enum Decision: Sendable {
    /// 200: let the request through; the proxy copies these headers upstream.
    case allow(headers: [(name: String, value: String)])
    /// A redirect (302 or 307) to an absolute URL, with cookies to set.
    case redirect(location: String, status: RedirectStatus, cookies: [SetCookie])
    /// An API client sent a Bearer ID token: verify it (cached keys, no I/O), then apply `policy`.
    case verifyBearer(token: String, policy: AccessPolicy)
    /// The browser must log in: the login flow (which knows the identity provider) turns this into a redirect.
    case login(LoginPlan)
    /// 401 for clients that are not browsers (or behind nginx, which cannot pass a redirect on).
    case unauthenticated(reason: String)
    /// 403: identified but not allowed, or a host this deployment does not serve.
    case forbidden(reason: String, user: String?)
    /// 503: the answer needs something not loaded yet (the RBAC policy, the service-account token).
    case unavailable(reason: String)
    /// 400/431: the forwarded headers are malformed or too large.
    case badRequest(reason: String, tooLarge: Bool)
    /// A page for a person (callback failures, sign-out), with cookies to set.
    case page(Page, cookies: [SetCookie])

    package enum RedirectStatus: Int, Sendable {
        case found = 302
        case temporary = 307
    }
}
