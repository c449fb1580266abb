/// Judges one forwarded request: the hot path of every request through the ingress.
///
/// A plain function of its inputs (request, cookies, `now`): no I/O, no clock, no randomness. A valid session
/// costs one AES-GCM open, a rule lookup and a few header values.
package struct Gatekeeper: Sendable {
    package struct Settings: Sendable {
        package var urlPath = "/_oauth"
        /// The auth host, with the port the browser uses to reach it when that is not the scheme's default.
        package var authHost: Authority?
        package var defaultAction: RuleAction = .auth
        /// `skip-auth-preflight`: let CORS preflights (`OPTIONS` with `Origin` and
        /// `Access-Control-Request-Method`) through without a session; browsers send no cookies on them.
        package var skipAuthPreflight = false

        package init() {}
    }

    package let settings: Settings
    package let rules: RuleSet
    package let sessions: SessionCookies
    package let access: AccessPolicy
    package let identityHeaders: IdentityHeaders
    /// Kubernetes RBAC (`enable-rbac`), judged after the allow-lists; nil when off.
    package let rbac: RBACAuthorizer?
    package let returnURLs: ReturnURLPolicy

    package init(
        settings: Settings, rules: RuleSet, sessions: SessionCookies, access: AccessPolicy,
        identityHeaders: IdentityHeaders = IdentityHeaders(), rbac: RBACAuthorizer? = nil
    ) {
        self.settings = settings
        self.rules = rules
        self.sessions = sessions
        self.access = access
        self.identityHeaders = identityHeaders
        self.rbac = rbac
        self.returnURLs = ReturnURLPolicy(cookieDomains: sessions.settings.domains, authHost: settings.authHost?.host)
    }

    package func check(
        _ request: ForwardedRequest, cookies: some RequestCookies, client: ClientKind, now: Int64
    ) -> Decision {
        judge(request, cookies: cookies, client: client, now: now).decision
    }

    /// `check`, also saying which rule decided: an index into `rules.definitions`, nil for the default action
    /// (or an auth-host redirect, decided before any rule).
    package func judge(
        _ request: ForwardedRequest, cookies: some RequestCookies, client: ClientKind, now: Int64
    ) -> (decision: Decision, rule: Int?) {
        // auth-host without cookie domains: the auth host is the only host we answer for.
        if let authHost = settings.authHost, sessions.settings.domains.isEmpty, request.host != authHost.host {
            let location = "\(request.scheme.rawValue)://\(authHost)\(request.prefix)\(request.uri)"
            return (.redirect(location: location, status: .temporary, cookies: []), nil)
        }
        let rule = rules.matchIndex(request)
        return (
            decide(request, matched: rule.map { rules.definitions[$0] }, cookies: cookies, client: client, now: now),
            rule
        )
    }

    private func decide(
        _ request: ForwardedRequest, matched: RuleDefinition?, cookies: some RequestCookies, client: ClientKind,
        now: Int64
    ) -> Decision {
        switch matched?.action ?? settings.defaultAction {
        case .allow:
            return .allow(headers: [])
        case .deny:
            return .forbidden(reason: "denied by rule \(matched?.name ?? "default-action")", user: nil)
        case .auth:
            break
        }
        if settings.skipAuthPreflight, Self.isCORSPreflight(request) {
            return .allow(headers: [])
        }

        let policy = matched.map(access.overridden(by:)) ?? access
        switch sessions.session(from: cookies, now: now) {
        case .valid(let session):
            return authorize(Principal(session), request: request, policy: policy)
        case .missing, .invalid, .expired:
            if let token = Self.bearerToken(in: request.headers) {
                // Before any decoding: a bound on the work a hostile token can cause. Dex's tokens are a few KB
                // (the end-to-end suite's user with 401 groups: about 10 KB).
                guard token.utf8.count <= Self.maximumBearerTokenBytes else {
                    return .unauthenticated(reason: "bearer token over \(Self.maximumBearerTokenBytes) bytes")
                }
                return .verifyBearer(token: token, policy: policy)
            }
            return loginOrRefuse(request, client: client)
        }
    }

    /// The answer for an identified user: the allow-lists, then RBAC; 200 with identity headers, 403, or 503
    /// while something the answer needs (the RBAC policy, the service-account token) is not loaded yet.
    package func authorize(_ principal: Principal, request: ForwardedRequest, policy: AccessPolicy) -> Decision {
        // Refused at the callback and for Bearer tokens; a session sealed before that rule still stops here.
        if KubernetesNames.isReservedUser(principal.email) {
            return .forbidden(reason: "the email holds ':', which Kubernetes reserves", user: principal.email)
        }
        if case .denied(let reason) = policy.evaluate(email: principal.email, groups: principal.groups) {
            return .forbidden(reason: reason, user: principal.email)
        }
        if let rbac {
            switch rbac.authorize(
                user: principal.email, groups: principal.groups, method: request.method,
                scheme: request.scheme.rawValue, authority: request.authority.description, path: request.path)
            {
            case .allowed, .passThrough:
                break
            case .denied(let reason):
                return .forbidden(reason: reason, user: principal.email)
            case .notLoaded:
                return .unavailable(reason: "the RBAC policy has not been loaded yet")
            }
        }
        do {
            return .allow(
                headers: try identityHeaders.headers(for: principal, upstreamOnly: request.isAuthSubrequest))
        } catch {
            return .unavailable(reason: "the service-account token for impersonation has not been read")
        }
    }

    /// A CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    static func isCORSPreflight(_ request: ForwardedRequest) -> Bool {
        request.method == "OPTIONS" && request.headers.first("Origin") != nil
            && request.headers.first("Access-Control-Request-Method") != nil
    }

    /// Longer Bearer tokens are refused unread.
    package static let maximumBearerTokenBytes = 32 * 1024

    /// The token of an `Authorization: Bearer <token>` header, if the request has one.
    static func bearerToken(in headers: any RequestHeaders) -> String? {
        guard let value = headers.first("Authorization"), value.utf8.count > 7,
            value.prefix(7).caseInsensitiveEquals("Bearer ")
        else { return nil }
        let token = value.dropFirst(7).drop { $0 == " " }
        return token.isEmpty ? nil : String(token)
    }

    /// Not authenticated: browsers log in (when this deployment serves the host), other clients get 401.
    func loginOrRefuse(_ request: ForwardedRequest, client: ClientKind) -> Decision {
        guard client == .browser else {
            return .unauthenticated(reason: "no valid session")
        }
        guard let plan = loginPlan(for: request, returnURL: request.url) else {
            return .forbidden(reason: "host \(request.host) is not under a configured cookie domain", user: nil)
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
