import ForwardAuth

/// One forwarded request between `Endpoints.begin` and `Endpoints.finish`.
struct ForwardedExchange: Sendable {
    /// What `complete` reads: the parsed request, its cookies and the time it was judged at.
    struct Request: Sendable {
        let forwarded: ForwardedRequest
        let cookies: CookieHeader
        let now: Int64
    }

    let route: Route
    let client: ClientKind
    let accept: String?
    let started: ContinuousClock.Instant
    /// Nil until judged; the callback, logout and login-start routes are judged only by `complete`.
    var decision: Decision?
    /// The decision is the login flow's answer to a request that needed a login.
    var startedLogin = false
    /// The index of the rule that decided a check; nil: the default action.
    var rule: Int?
    /// Nil when the headers did not parse (the decision is then a 400/431).
    var request: Request?

    /// Whether `finish` may render now: nothing left that needs the provider or an actor.
    var isFinal: Bool {
        switch decision {
        case nil, .login, .verifyBearer: false
        default: true
        }
    }
}
