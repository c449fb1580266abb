import CoreMetrics
import ForwardAuth
import Logging

/// The forward-auth endpoints (check, nginx's check and login start, callback, logout) in two phases, so that
/// what needs no waiting is answered on the event loop and only the rest takes a task:
///
/// - `begin` parses and judges synchronously. For a check it is usually final: allowed, 401, 403, 400, or a
///   login redirect once the provider's metadata is loaded.
/// - `complete` does what needs the provider or an actor: the callback, logout, `start?rd=`, a Bearer token,
///   a login start before discovery has loaded.
/// - `finish` logs refusals, records metrics and renders.
///
/// The Hummingbird responder runs all three; `EventLoopCheckHandler` runs `begin` and `finish` for the
/// exchanges `begin` made final, and hands the others to the responder.
struct Endpoints: Sendable {
    let gatekeeper: Gatekeeper
    let loginFlow: LoginFlow
    let random: any RandomSource
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Built once from `url-path`.
    let paths: Route.Paths
    let metrics: ForwardAuthMetrics
    /// `trust-forwarded-prefix`: whether `X-Forwarded-Prefix` is judged.
    var trustForwardedPrefix = false
    /// Misconfigurations that every request would report: said at most once a minute.
    let untrustedPrefixWarning = OncePerInterval()
    let withheldHeadersWarning = OncePerInterval()

    /// Parses and judges a forwarded request as far as that needs no waiting.
    ///
    /// - Parameters:
    ///   - method: the subrequest's own method.
    ///   - target: the subrequest's request target (path and query).
    func begin(method: String, target: String, headers: some RequestHeaders) -> ForwardedExchange {
        let started = ContinuousClock.now
        let route = Route(
            forwardedPath: headers.first("X-Forwarded-Uri").map(Route.path(of:)),
            requestLinePath: Route.path(of: target), paths: paths)
        let accept = headers.first("Accept")
        var exchange = ForwardedExchange(
            route: route, client: ClientKind(accept: accept), accept: accept, started: started)
        let forwarded: ForwardedRequest
        do {
            forwarded = try ForwardedRequest(
                headers: headers, method: method, uri: target, trustPrefix: trustForwardedPrefix)
        } catch {
            logger.info("bad forwarded request", metadata: ["reason": "\(error)"])
            exchange.decision = .badRequest(reason: error.description, tooLarge: error.isTooLarge)
            return exchange
        }
        if forwarded.ignoredPrefix { noteIgnoredPrefix() }
        guard let cookies = CookieHeader(headers.values("Cookie")) else {
            logger.info("bad forwarded request", metadata: ["reason": "too many or too large cookies"])
            exchange.decision = .badRequest(reason: "the Cookie header is too large", tooLarge: true)
            return exchange
        }
        let now = clock()
        exchange.request = ForwardedExchange.Request(forwarded: forwarded, cookies: cookies, now: now)
        switch route {
        case .check:
            // nginx's auth_request turns a redirect into a 500: its check asks for a 401 instead.
            let client = Self.refusesRedirect(headers) ? .api : exchange.client
            var (decision, rule) = gatekeeper.judge(forwarded, cookies: cookies, client: client, now: now)
            if case .login(let plan) = decision,
                let redirect = loginFlow.startWithoutWaiting(plan, cookies: cookies, now: now, random: random)
            {
                decision = redirect
                exchange.startedLogin = true
            }
            exchange.decision = decision
            exchange.rule = rule
        case .checkWithoutRedirect:
            (exchange.decision, exchange.rule) = gatekeeper.judge(forwarded, cookies: cookies, client: .api, now: now)
        case .callback, .logout, .startLogin:
            break
        }
        if case .verifyBearer(let token, let policy) = exchange.decision,
            let verified = loginFlow.verifyBearerWithoutWaiting(token, for: forwarded, policy: policy, now: now)
        {
            exchange.decision = verified
        }
        return exchange
    }

    /// The check answers 401 rather than redirect: nginx's wiring sends `X-Forward-Auth-Redirect: off` (a client
    /// that sends it only refuses its own login redirect).
    static func refusesRedirect(_ headers: some RequestHeaders) -> Bool {
        guard let value = headers.first("X-Forward-Auth-Redirect") else { return false }
        return value.caseInsensitiveEquals("off")
    }

    private func noteIgnoredPrefix() {
        metrics.untrustedPrefix.increment()
        if untrustedPrefixWarning.isDue(now: clock()) {
            logger.warning(
                "X-Forwarded-Prefix ignored: set trust-forwarded-prefix (TRUST_FORWARDED_PREFIX) only when the proxy removes a client's X-Forwarded-Prefix (Traefik >= v2.11.14 / v3.2.1)"
            )
        }
    }

    /// Finishes what `begin` left open; waits for the provider or the OIDC client's actor.
    func complete(_ exchange: ForwardedExchange) async -> ForwardedExchange {
        guard let request = exchange.request else { return exchange }
        let (forwarded, cookies, now) = (request.forwarded, request.cookies, request.now)
        var exchange = exchange
        switch (exchange.route, exchange.decision) {
        case (.check, .login(let plan)):
            exchange.decision = await loginFlow.start(plan, cookies: cookies, now: now, random: random, logger: logger)
            exchange.startedLogin = true
        case (.callback, _):
            exchange.decision = await loginFlow.complete(
                forwarded, cookies: cookies, now: now, random: random, logger: logger)
        case (.logout, _):
            let session: Session? =
                if case .valid(let session) = gatekeeper.sessions.session(from: cookies, now: now) { session } else {
                    nil
                }
            exchange.decision = await loginFlow.logout(forwarded, cookies: cookies, session: session, logger: logger)
        case (.startLogin, _):
            exchange.decision = await loginFlow.startFromLink(
                forwarded, cookies: cookies, now: now, random: random, logger: logger)
            exchange.startedLogin = true
        default:
            break
        }
        if case .verifyBearer(let token, let policy) = exchange.decision {
            exchange.decision = await loginFlow.verifyBearer(
                token, for: forwarded, policy: policy, now: now, logger: logger)
        }
        return exchange
    }

    /// Logs a refusal (never on an allowed request), records the metrics and renders the answer.
    func finish(_ exchange: ForwardedExchange) -> Answer {
        let decision = exchange.decision ?? .unavailable(reason: "the request was not completed")
        if let forwarded = exchange.request?.forwarded {
            switch decision {
            case .forbidden(let reason, let user):
                logger.notice(
                    "denied",
                    metadata: [
                        "user": "\(user ?? "-")", "method": "\(forwarded.method)", "host": "\(forwarded.host)",
                        "path": "\(forwarded.path)", "reason": "\(reason)",
                    ])
            case .unavailable(let reason):
                logger.warning(
                    "cannot answer yet",
                    metadata: ["method": "\(forwarded.method)", "host": "\(forwarded.host)", "reason": "\(reason)"])
            case .allow(let headers)
            where !headers.isEmpty && !forwarded.isAuthSubrequest
                && gatekeeper.identityHeaders.hasUpstreamOnlyHeaders:
                if withheldHeadersWarning.isDue(now: exchange.request?.now ?? clock()) {
                    logger.warning(
                        "upstream-only identity headers withheld: the request was not a proxy's auth subrequest (request-line path exactly / with X-Forwarded-Uri); point the proxy's auth address at /"
                    )
                }
            default:
                break
            }
        }
        let answer = decision.answer(client: exchange.client, accept: exchange.accept)
        let outcome = DecisionOutcome(decision, startedLogin: exchange.startedLogin)
        let route = exchange.route
        metrics.decisions.record(outcome, route: route, duration: ContinuousClock.now - exchange.started)
        if route == .check || route == .checkWithoutRedirect { metrics.decisions.record(outcome, rule: exchange.rule) }
        if route == .callback { metrics.decisions.record(LoginResult(callback: decision)) }
        return answer
    }
}
