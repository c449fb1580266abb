import ForwardAuthWire

/// One request as `DecisionEngine` judged it: which endpoint, what kind of client, and either the answer or the
/// one piece of work left before there is one. The server renders, logs and counts from it.
package struct Judgement: Sendable {
    /// What the engine read from the request, for the step that resumes it and for the log line.
    package struct Request: Sendable {
        package let forwarded: ForwardedRequest
        package let cookies: CookieHeader
        package let now: Int64
    }

    package enum Next: Sendable {
        case answer(Decision)
        case pending(PendingWork)
    }

    package let route: Route
    package let client: ClientKind
    package let accept: String?
    package var next: Next
    /// Nil when the headers did not parse (the answer is then a 400/431).
    package var request: Request?
    /// The index of the rule that decided a check (into `RuleSet.definitions`); nil: the default action.
    package var rule: Int?
    /// The answer is the login flow's: the request needed a login (a redirect to the provider, or the page saying
    /// it cannot start).
    package var startedLogin = false
    /// Whose session cookie authenticated a check: ours, or the Go fork's during a swap; nil: no session did.
    package var session: Session.Source?
    /// The request carried an `X-Forwarded-Prefix` that was not judged (`trust-forwarded-prefix` is off).
    package var ignoredPrefix = false
    /// How a step of the SSO broker ended, on its two endpoints and at an attached instance's login start.
    package var broker: BrokerResult?
    /// How a session refresh ended (`<url-path>/refresh`).
    package var refresh: RefreshResult?

    package init(route: Route, client: ClientKind, accept: String?, next: Next, request: Request? = nil) {
        self.route = route
        self.client = client
        self.accept = accept
        self.next = next
        self.request = request
    }

    /// The answer, once there is one.
    package var decision: Decision? {
        if case .answer(let decision) = next { decision } else { nil }
    }
}
