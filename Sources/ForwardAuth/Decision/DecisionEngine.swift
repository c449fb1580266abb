import ForwardAuthOIDC
import ForwardAuthWire
import Logging

/// The one place a request is judged: every endpoint (check, nginx's check and login start, callback, logout)
/// in two steps, so that what needs no waiting is answered on the event loop and only the rest takes a task.
///
/// - `judge` never waits. A check is usually final: allowed, 401, 403, 400, or a login redirect; a Bearer token
///   verified before is looked up. What is left is explicit `PendingWork`.
/// - `resume` does that work (the callback, logout, a Bearer token seen for the first time) and ends in a
///   `Decision`.
///
/// Authentication (`Authenticator`: the session cookie, then a Bearer token) comes before authorization
/// (`Authorizer`: the allow-lists, then RBAC), for every way in. The server only adapts bytes to `judge`,
/// renders the `Decision`, logs and counts.
package struct DecisionEngine: Sendable {
    package let gatekeeper: Gatekeeper
    package let loginFlow: LoginFlow
    package let bearer: BearerAuthenticator
    /// The SSO broker's two endpoints (`sso-broker-callbacks`, `sso-broker-url`).
    package let broker: SSOBroker
    /// Built once from `url-path`.
    package let paths: Route.Paths
    /// `trust-forwarded-prefix`: whether `X-Forwarded-Prefix` is judged.
    package let trustForwardedPrefix: Bool
    private let random: any RandomSource
    private let logger: Logger

    package init(
        loginFlow: LoginFlow, trustForwardedPrefix: Bool = false, random: any RandomSource, logger: Logger
    ) {
        self.gatekeeper = loginFlow.gatekeeper
        self.loginFlow = loginFlow
        self.bearer = BearerAuthenticator(
            provider: loginFlow.provider, identityHeaders: loginFlow.gatekeeper.identityHeaders)
        self.broker = SSOBroker(loginFlow: loginFlow)
        self.paths = Route.Paths(
            urlPath: loginFlow.gatekeeper.settings.urlPath, broker: loginFlow.broker,
            refreshes: loginFlow.gatekeeper.settings.refresh != nil)
        self.trustForwardedPrefix = trustForwardedPrefix
        self.random = random
        self.logger = logger
    }

    /// Judges a request as far as that needs no waiting.
    ///
    /// - Parameters:
    ///   - method: the subrequest's own method.
    ///   - target: the subrequest's request target (path and query).
    ///   - now: seconds since 1970.
    package func judge(method: String, target: String, headers: some RequestHeaders, now: Int64) -> Judgement {
        let route = Route(
            forwardedPath: headers.first("X-Forwarded-Uri").map(Route.path(of:)),
            requestLinePath: Route.path(of: target), paths: paths)
        let accept = headers.first("Accept")
        let client = ClientKind(accept: accept)
        let forwarded: ForwardedRequest
        do {
            forwarded = try ForwardedRequest(
                headers: headers, method: method, uri: target, trustPrefix: trustForwardedPrefix)
        } catch {
            logger.info("bad forwarded request", metadata: ["reason": "\(error)"])
            return Judgement(
                route: route, client: client, accept: accept,
                next: .answer(.badRequest(reason: error.description, tooLarge: error.isTooLarge)))
        }
        guard let cookies = CookieHeader(headers.values("Cookie")) else {
            logger.info("bad forwarded request", metadata: ["reason": "too many or too large cookies"])
            return Judgement(
                route: route, client: client, accept: accept,
                next: .answer(.badRequest(reason: "the Cookie header is too large", tooLarge: true)))
        }
        let judged = judge(
            route, client: client, forwarded, method: method, cookies: cookies, headers: headers, now: now)
        var judgement = Judgement(
            route: route, client: client, accept: accept, next: judged.next,
            request: Judgement.Request(forwarded: forwarded, cookies: cookies, now: now))
        judgement.rule = judged.rule
        judgement.startedLogin = judged.startedLogin
        judgement.session = judged.session
        judgement.ignoredPrefix = forwarded.ignoredPrefix
        judgement.broker = judged.broker
        return judgement
    }

    /// What `judge` makes of a parsed request: the answer or the work left, and what the server counts.
    private struct Judged {
        var next: Judgement.Next
        var rule: Int? = nil
        var startedLogin = false
        var session: Session.Source? = nil
        var broker: BrokerResult? = nil
    }

    /// A parsed request, by endpoint.
    /// - Parameter method: the request line's own method (the broker callback's POST is judged on it).
    private func judge(
        _ route: Route, client: ClientKind, _ forwarded: ForwardedRequest, method: String, cookies: CookieHeader,
        headers: some RequestHeaders, now: Int64
    ) -> Judged {
        switch route {
        case .brokerCallbackPassage where Self.isBrokerPOST(forwarded, authHost: gatekeeper.settings.authHost):
            return Judged(next: .answer(.allow(headers: [])))
        case .check, .checkWithoutRedirect, .brokerCallbackPassage:
            // nginx's auth_request turns a redirect into a 500: its check asks for a 401 instead.
            let client = route == .checkWithoutRedirect || Self.refusesRedirect(headers) ? .api : client
            let (verdict, rule, session) = gatekeeper.judge(forwarded, cookies: cookies, client: client, now: now)
            switch verdict {
            case .answer(let decision):
                return Judged(next: .answer(decision), rule: rule, session: session)
            case .login(let plan):
                let redirect = Self.traced(headers) {
                    loginFlow.start(plan, cookies: cookies, now: now, random: random, logger: logger)
                }
                var judged = Judged(next: .answer(redirect), rule: rule, startedLogin: true)
                if loginFlow.startsAtBroker(cookies) { judged.broker = .redirected }
                return judged
            case .verifyBearer(let token, let policy):
                guard let verified = bearer.previouslyVerified(token, now: now) else {
                    return Judged(next: .pending(.verifyBearer(token: token, policy: policy)), rule: rule)
                }
                return Judged(next: .answer(authorize(verified, forwarded, policy)), rule: rule)
            }
        case .startLogin:
            // nginx's `/auth` answered a session due for a refresh 401; its `error_page` comes here to refresh.
            if case .valid(let session) = gatekeeper.sessions.session(from: cookies, now: now),
                let refresh = session.refresh,
                gatekeeper.settings.refresh?.isDue(refresh.due, firstLogin: refresh.firstLogin, now: now) == true
            {
                let returnURL = CallbackQuery(forwarded.query).value("rd") ?? forwarded.rootURL
                return Judged(
                    next: .answer(
                        .redirect(
                            location: gatekeeper.refreshURL(forwarded, returnURL: returnURL), status: .found,
                            cookies: [])))
            }
            let start = Self.traced(headers) {
                loginFlow.startFromLink(forwarded, cookies: cookies, now: now, random: random, logger: logger)
            }
            return Judged(next: .answer(start), startedLogin: true)
        case .callback:
            return Judged(next: .pending(.completeLogin))
        case .brokerDelivery:
            // Straight from a browser: a subrequest's headers would make the query and return URL someone else's.
            guard headers.first("X-Forwarded-Uri") == nil else {
                return Judged(
                    next: .answer(.badRequest(reason: "the broker endpoint is not a subrequest", tooLarge: false)),
                    broker: .badRequest)
            }
            let (decision, result) = Self.traced(headers) {
                broker.deliver(forwarded, cookies: cookies, now: now, random: random, logger: logger)
            }
            return Judged(next: .answer(decision), startedLogin: result == .loginRequired, broker: result)
        case .refresh:
            return Judged(next: .pending(.refreshSession))
        case .brokerCallback:
            if let problem = SSOBroker.checkCallbackRequest(method: method, headers: headers) {
                logger.info("broker callback refused", metadata: ["reason": "\(problem)"])
                return Judged(next: .answer(.badRequest(reason: problem, tooLarge: false)), broker: .badRequest)
            }
            return Judged(next: .pending(.completeBrokeredLogin))
        case .logout:
            return Judged(next: .pending(.logout))
        }
    }

    /// Does what `judge` left pending; the judgement that comes back has its answer.
    /// - Parameter body: the request's body, for the broker callback (nil: over `SSOBroker.maximumBodyBytes`).
    package func resume(_ judgement: Judgement, body: [UInt8]? = nil) async -> Judgement {
        guard case .pending(let work) = judgement.next, let request = judgement.request else { return judgement }
        let (forwarded, cookies, now) = (request.forwarded, request.cookies, request.now)
        var judgement = judgement
        switch work {
        case .verifyBearer(let token, let policy):
            judgement.next = .answer(authorize(await bearer.verify(token, now: now), forwarded, policy))
        case .completeLogin:
            judgement.next = .answer(
                await loginFlow.complete(forwarded, cookies: cookies, now: now, random: random, logger: logger))
        case .logout:
            let session: Session? =
                if case .valid(let session) = gatekeeper.sessions.session(from: cookies, now: now) { session } else {
                    nil
                }
            judgement.next = .answer(
                await loginFlow.logout(forwarded, cookies: cookies, session: session, logger: logger))
        case .refreshSession:
            let (decision, result) = await loginFlow.refresh(
                forwarded, cookies: cookies, now: now, random: random, logger: logger)
            judgement.next = .answer(decision)
            judgement.refresh = result
        case .completeBrokeredLogin:
            let (decision, result) = await broker.complete(
                forwarded, body: body, cookies: cookies, now: now, random: random, logger: logger)
            judgement.next = .answer(decision)
            judgement.broker = result
        }
        return judgement
    }

    /// A Bearer token's principal, authorized like a session's; a token that did not verify is a 401.
    private func authorize(
        _ authenticated: Result<Principal, LoginError>, _ request: ForwardedRequest, _ policy: AccessPolicy
    ) -> Decision {
        switch authenticated {
        case .success(let principal):
            return gatekeeper.authorizer.authorize(principal, request: request, policy: policy)
        case .failure(let error):
            logger.info("bearer token refused", metadata: ["reason": "\(error.description)"])
            return .unauthenticated(reason: "invalid bearer token")
        }
    }

    /// The check answers 401 rather than redirect: nginx's wiring sends `X-Forward-Auth-Redirect: off` (a client
    /// that sends it only refuses its own login redirect).
    /// Runs a login's start with the request's W3C trace context bound when it carries a valid one: the start
    /// seals its trace id into the login state, and its log lines name it. Read only here, never for a check
    /// answered from a session.
    private static func traced<Started>(_ headers: some RequestHeaders, _ start: () -> Started) -> Started {
        guard let trace = TraceContext(headers: headers) else { return start() }
        return TraceContext.$current.withValue(trace, operation: start)
    }

    /// The proxy's subrequest for the broker's form POST: a POST to the callback path on the auth host (where the
    /// chart routes that path to us, and the only host an attached instance's callback lives on). On any other
    /// host, or with another method, that path is an app's like any other and is checked: passing it there would
    /// hand an app anonymous requests, and a lured browser's token.
    static func isBrokerPOST(_ request: ForwardedRequest, authHost: Authority?) -> Bool {
        guard let authHost, request.method == "POST" else { return false }
        return request.host == authHost.host
    }

    package static func refusesRedirect(_ headers: some RequestHeaders) -> Bool {
        guard let value = headers.first("X-Forward-Auth-Redirect") else { return false }
        return value.caseInsensitiveEquals("off")
    }
}
