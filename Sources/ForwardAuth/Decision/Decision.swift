/// What to answer the proxy: a final answer. The domain decides (`DecisionEngine`); the HTTP layer only renders.
package enum Decision: Sendable {
    /// 200: let the request through; the proxy copies these headers upstream.
    case allow(headers: [(name: String, value: String)])
    /// A redirect (302 or 307) to an absolute URL, with cookies to set.
    case redirect(location: String, status: RedirectStatus, cookies: [SetCookie])
    /// 401 for clients that are not browsers (or behind nginx, which cannot pass a redirect on).
    case unauthenticated(reason: String)
    /// 403: identified but not allowed, or a host this deployment does not serve.
    case forbidden(reason: String, user: String?)
    /// 503: the answer needs something not loaded yet (the RBAC policy, the service-account token).
    case unavailable(reason: String)
    /// 400/431: the forwarded headers are malformed or too large.
    case badRequest(reason: String, tooLarge: Bool)
    /// A login that could not start or finish: the reason renders its page and names its metric label.
    case loginFailed(LoginFailure, cookies: [SetCookie])
    /// Signed out, with nowhere to send the browser: a page saying so.
    case signedOut(cookies: [SetCookie])
    /// The broker's page: a form posting to a listed callback of an attached instance (`SSOBroker`).
    /// Indirect: its payload is the largest of any answer, and every decision on the check path would carry its
    /// size (the cost guard measured +3 % on a 401 with it inline).
    indirect case brokerForm(BrokerForm, cookies: [SetCookie])
    /// 200 with a page that sends the browser on to `location` by itself (a meta refresh, and a link): the answer
    /// to the broker's form POST. A redirect there would be checked against the form page's CSP `form-action`
    /// (Chromium applies it to every redirect that answers the POST), which admits only the callback's origin, not
    /// the provider or an app host; a page's own navigation is not. The callback is routed straight to the
    /// Service, so its `Set-Cookie` reaches the browser with a 200.
    case navigate(location: String, cookies: [SetCookie])

    package enum RedirectStatus: Int, Sendable {
        case found = 302
        case temporary = 307
    }
}
