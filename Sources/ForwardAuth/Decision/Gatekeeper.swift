import ForwardAuthOIDC
import ForwardAuthWire

/// Judges one forwarded request: the hot path of every request through the ingress.
///
/// The check's synchronous core inside `DecisionEngine`: the auth-host redirect, the first matching rule, then
/// authentication (`Authenticator`) and authorization (`Authorizer`), or the login a browser needs. A plain
/// function of its inputs (request, cookies, `now`): no I/O, no clock, no randomness. A valid session costs one
/// AES-GCM open, a rule lookup and a few header values.
package struct Gatekeeper: Sendable {
    package struct Settings: Sendable {
        package var urlPath = "/_oauth"
        /// The auth host, with the port the browser uses to reach it when that is not the scheme's default.
        package var authHost: Authority?
        package var defaultAction: RuleAction = .auth
        /// `skip-auth-preflight`: let CORS preflights (`OPTIONS` with `Origin` and
        /// `Access-Control-Request-Method`) through without a session; browsers send no cookies on them.
        package var skipAuthPreflight = false
        /// `refresh-sessions`: nil when off.
        package var refresh: RefreshSettings?

        package init() {}
    }

    package let settings: Settings
    package let rules: RuleSet
    /// The session cookie, then a Bearer token.
    package let authenticator: Authenticator
    /// The allow-lists, then RBAC.
    package let authorizer: Authorizer
    package let returnURLs: ReturnURLPolicy

    package var sessions: SessionCookies { authenticator.sessions }
    package var access: AccessPolicy { authorizer.access }
    package var identityHeaders: IdentityHeaders { authorizer.identityHeaders }
    package var rbac: RBACAuthorizer? { authorizer.rbac }

    package init(
        settings: Settings, rules: RuleSet, sessions: SessionCookies, access: AccessPolicy,
        identityHeaders: IdentityHeaders = IdentityHeaders(), rbac: RBACAuthorizer? = nil
    ) {
        self.settings = settings
        self.rules = rules
        self.authenticator = Authenticator(sessions: sessions)
        self.authorizer = Authorizer(access: access, rbac: rbac, identityHeaders: identityHeaders)
        self.returnURLs = ReturnURLPolicy(cookieDomains: sessions.settings.domains, authHost: settings.authHost?.host)
    }

    package func check(
        _ request: ForwardedRequest, cookies: some RequestCookies, client: ClientKind, now: Int64
    ) -> CheckVerdict {
        judge(request, cookies: cookies, client: client, now: now).verdict
    }

    /// `check`, also saying which rule decided (an index into `rules.definitions`; nil for the default action,
    /// or an auth-host redirect, decided before any rule) and, when a session cookie authenticated the request,
    /// whose cookie it was.
    package func judge(
        _ request: ForwardedRequest, cookies: some RequestCookies, client: ClientKind, now: Int64
    ) -> (verdict: CheckVerdict, rule: Int?, session: Session.Source?) {
        // auth-host without cookie domains: the auth host is the only host we answer for.
        if let authHost = settings.authHost, sessions.settings.domains.isEmpty, request.host != authHost.host {
            let location = "\(request.scheme.rawValue)://\(authHost)\(request.prefix)\(request.uri)"
            return (.answer(.redirect(location: location, status: .temporary, cookies: [])), nil, nil)
        }
        let rule = rules.matchIndex(request)
        let (verdict, session) = decide(
            request, matched: rule.map { rules.definitions[$0] }, cookies: cookies, client: client, now: now)
        return (verdict, rule, session)
    }

    private func decide(
        _ request: ForwardedRequest, matched: RuleDefinition?, cookies: some RequestCookies, client: ClientKind,
        now: Int64
    ) -> (CheckVerdict, Session.Source?) {
        switch matched?.action ?? settings.defaultAction {
        case .allow:
            return (.answer(.allow(headers: [])), nil)
        case .deny:
            return (.answer(.forbidden(reason: "denied by rule \(matched?.name ?? "default-action")", user: nil)), nil)
        case .auth:
            break
        }
        if settings.skipAuthPreflight, Self.isCORSPreflight(request) {
            return (.answer(.allow(headers: [])), nil)
        }
        let policy = matched.map(access.overridden(by:)) ?? access
        switch authenticator.authenticate(request, cookies: cookies, now: now) {
        case .session(let principal, let source, let refreshDue):
            if let refreshDue, now >= refreshDue.at,
                let renew = refreshing(request, refreshDue, cookies: cookies, client: client, now: now)
            {
                return (.answer(renew), source)
            }
            return (.answer(authorizer.authorize(principal, request: request, policy: policy)), source)
        case .bearerToken(let token):
            return (.verifyBearer(token: token, policy: policy), nil)
        case .refused(let reason):
            return (.answer(.unauthenticated(reason: reason)), nil)
        case .anonymous:
            return (loginOrRefuse(request, client: client), nil)
        }
    }

    /// Past a session's soft end, a top-level navigation goes through `<url-path>/refresh` (a 302 that can set the
    /// renewed cookie: Traefik drops `Set-Cookie` from a 2xx); nginx's check answers it 401, so its `/start`
    /// refreshes. Everything else (XHR, fetch, POST: single-page apps) passes until the hard end, and so does a
    /// navigation whose refresh the marker holds back. Nil: authorize as usual.
    func refreshing(
        _ request: ForwardedRequest, _ due: RefreshDue, cookies: some RequestCookies, client: ClientKind, now: Int64
    ) -> Decision? {
        guard let refresh = settings.refresh, refresh.isDue(due.at, firstLogin: due.firstLogin, now: now),
            Self.isNavigation(request),
            !sessions.refreshHeldBack(sessionID: due.sessionID, in: cookies, now: now)
        else { return nil }
        guard client == .browser else { return .unauthenticated(reason: "the session is due for a refresh") }
        return .redirect(location: refreshURL(request, returnURL: request.url), status: .found, cookies: [])
    }

    /// `<proto>://<host><url-path>/refresh?rd=<return URL>`, on the request's own host (its cookie domain holds
    /// the session).
    package func refreshURL(_ request: ForwardedRequest, returnURL: String) -> String {
        "\(request.scheme.rawValue)://\(request.authority)\(settings.urlPath)\(RefreshSettings.pathSuffix)?rd="
            + FormURLEncoding.encode(Self.capped(returnURL))
    }

    /// A top-level navigation: GET or HEAD with `Sec-Fetch-Mode: navigate`, or, from a browser that sends no
    /// `Sec-Fetch-Mode`, with an `Accept` naming text/html.
    static func isNavigation(_ request: ForwardedRequest) -> Bool {
        guard request.method == "GET" || request.method == "HEAD" else { return false }
        if let mode = request.headers.first("Sec-Fetch-Mode") { return mode.caseInsensitiveEquals("navigate") }
        return request.headers.first("Accept")?.lowercased().contains("text/html") ?? false
    }

    /// A CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    static func isCORSPreflight(_ request: ForwardedRequest) -> Bool {
        request.method == "OPTIONS" && request.headers.first("Origin") != nil
            && request.headers.first("Access-Control-Request-Method") != nil
    }

    /// Not authenticated: browsers log in (when this deployment serves the host), other clients get 401.
    func loginOrRefuse(_ request: ForwardedRequest, client: ClientKind) -> CheckVerdict {
        guard client == .browser else {
            return .answer(.unauthenticated(reason: "no valid session"))
        }
        guard let plan = loginPlan(for: request, returnURL: request.url) else {
            return .answer(
                .forbidden(reason: "host \(request.host) is not under a configured cookie domain", user: nil))
        }
        return .login(plan)
    }

    /// How a login for `request` goes: which host receives the callback and where the CSRF cookie lives. Nil
    /// when this deployment does not serve the host (it is under no cookie domain and not the auth host).
    package func loginPlan(for request: ForwardedRequest, returnURL: String) -> LoginPlan? {
        guard returnURLs.mayStartLogin(forHost: request.host) else { return nil }
        let callbackAuthority: String
        var cookieDomain: String?
        if let authHost = settings.authHost, let domain = sessions.settings.cookieDomain(holding: request.host),
            Authority.host(authHost.host, isUnder: domain)
        {
            // Auth-host mode: the auth host serves the callback and shares the cookie domain.
            callbackAuthority = authHost.description
            cookieDomain = domain
        } else {
            callbackAuthority = request.authority.description
        }
        let redirectURI = "\(request.scheme.rawValue)://\(callbackAuthority)\(settings.urlPath)"
        return LoginPlan(returnURL: Self.capped(returnURL), redirectURI: redirectURI, cookieDomain: cookieDomain)
    }

    /// Long return URLs lose their query, then their path, so the login cookie stays under 4 KB.
    static func capped(_ url: String) -> String {
        guard url.utf8.count > LoginState.maximumReturnURLLength else { return url }
        if let mark = url.firstIndex(of: "?"), url[..<mark].utf8.count <= LoginState.maximumReturnURLLength {
            return String(url[..<mark])
        }
        // Our own URL (`<proto>://<authority>…`, built from validated headers): keep the origin.
        let afterScheme = url.firstIndex(of: ":").map {
            url.index($0, offsetBy: 3, limitedBy: url.endIndex) ?? url.endIndex
        }
        guard let afterScheme else { return url }
        let rest = url[afterScheme...]
        return String(url[..<(rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex)]) + "/"
    }
}
