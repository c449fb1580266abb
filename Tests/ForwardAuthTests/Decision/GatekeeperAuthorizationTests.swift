import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// What the check does for an identified user beyond the session: preflights, RBAC, identity headers.
@Suite("The check: authorization")
struct GatekeeperAuthorizationTests {
    let random = CountingRandom()

    func signedIn(_ gatekeeper: Gatekeeper, _ session: Session = Fixtures.session()) -> CookieList {
        Fixtures.jar(
            gatekeeper.sessions.issue(session, host: "app.example.com", existing: CookieList([]), random: random))
    }

    static let preflight: [(name: String, value: String)] = [
        ("Origin", "https://ui.example.com"), ("Access-Control-Request-Method", "POST"),
    ]

    @Test func corsPreflightPassesWithoutASessionWhenEnabled() throws {
        let gatekeeper = try Fixtures.gatekeeper(skipAuthPreflight: true)
        let decision = gatekeeper.check(
            try Fixtures.request(method: "OPTIONS", extra: Self.preflight), cookies: CookieList([]), client: .api,
            now: Fixtures.now)
        guard case .answer(.allow(let headers)) = decision else {
            Issue.record("expected allow, got \(decision)")
            return
        }
        #expect(headers.isEmpty)
    }

    @Test(arguments: [
        (false, "OPTIONS", preflight),
        (true, "GET", preflight),
        (true, "OPTIONS", [(name: "Origin", value: "https://ui.example.com")]),
        (true, "OPTIONS", [(name: "Access-Control-Request-Method", value: "POST")]),
    ])
    func anythingElseStillNeedsASession(enabled: Bool, method: String, headers: [(name: String, value: String)])
        throws
    {
        let gatekeeper = try Fixtures.gatekeeper(skipAuthPreflight: enabled)
        let decision = gatekeeper.check(
            try Fixtures.request(method: method, extra: headers), cookies: CookieList([]), client: .api,
            now: Fixtures.now)
        guard case .answer(.unauthenticated) = decision else {
            Issue.record("expected 401, got \(decision)")
            return
        }
    }

    @Test func aDenyRuleStillDeniesAPreflight() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            rules: [RuleDefinition(name: "block", action: .deny, rule: "PathPrefix(`/page`)")], skipAuthPreflight: true)
        let decision = gatekeeper.check(
            try Fixtures.request(method: "OPTIONS", extra: Self.preflight), cookies: CookieList([]), client: .api,
            now: Fixtures.now)
        guard case .answer(.forbidden) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
    }

    @Test func rbacNotYetLoadedAnswers503NeverAllow() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            rbac: RBACAuthorizer(store: RBACPolicyStore()))
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .browser, now: Fixtures.now)
        guard case .answer(.unavailable) = decision else {
            Issue.record("expected 503, got \(decision)")
            return
        }
    }

    @Test func theAllowListsAreJudgedBeforeRBAC() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            access: AccessPolicy(whitelist: ["bob@example.com"]),
            rbac: RBACAuthorizer(store: RBACPolicyStore()))
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .browser, now: Fixtures.now)
        guard case .answer(.forbidden(_, let user)) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
        #expect(user == "alice@example.com")
    }

    @Test func sessionClaimsReachTheirHeaders() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            identityHeaders: IdentityHeaders(
                claimHeaders: [
                    .init(header: "X-Auth-Request-Groups", claim: "groups"),
                    .init(header: "X-Auth-Request-Preferred-Username", claim: "preferred_username"),
                ]))
        var session = Fixtures.session(groups: ["devs", "ops"])
        session.claims = [NamedClaim(name: "preferred_username", values: ["alice"])]
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper, session), client: .browser, now: Fixtures.now)
        guard case .answer(.allow(let headers)) = decision else {
            Issue.record("expected allow, got \(decision)")
            return
        }
        #expect(
            headers.map { "\($0.name): \($0.value)" } == [
                "X-Forwarded-User: alice@example.com", "X-Auth-Request-Groups: devs,ops",
                "X-Auth-Request-Preferred-Username: alice",
            ])
    }

    @Test func impersonationWithoutATokenAnswers503() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            identityHeaders: IdentityHeaders(impersonation: .init(groupPrefix: "oidc:", token: ServiceAccountToken())))
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .api, now: Fixtures.now)
        guard case .answer(.unavailable) = decision else {
            Issue.record("expected 503, got \(decision)")
            return
        }
    }
}
