import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

@Suite("The check")
struct GatekeeperTests {
    let random = CountingRandom()

    func signedIn(_ gatekeeper: Gatekeeper, _ session: Session = Fixtures.session()) -> CookieList {
        Fixtures.jar(
            gatekeeper.sessions.issue(session, host: "app.example.com", existing: CookieList([]), random: random))
    }

    @Test func validSessionPassesWithIdentityHeaders() throws {
        let gatekeeper = try Fixtures.gatekeeper()
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .browser, now: Fixtures.now)
        guard case .answer(.allow(let headers)) = decision else {
            Issue.record("expected allow, got \(decision)")
            return
        }
        #expect(headers.map(\.name) == ["X-Forwarded-User"])
        #expect(headers.map(\.value) == ["alice@example.com"])
    }

    @Test func browserWithoutSessionLogsInWithTheRightPlan() throws {
        let decision = try Fixtures.gatekeeper().check(
            try Fixtures.request(), cookies: CookieList([]), client: .browser, now: Fixtures.now)
        guard case .login(let plan) = decision else {
            Issue.record("expected login, got \(decision)")
            return
        }
        #expect(plan.returnURL == "https://app.example.com/page?q=1")
        #expect(plan.redirectURI == "https://app.example.com/_oauth")
        #expect(plan.cookieDomain == nil)
    }

    @Test func apiClientWithoutSessionGets401() throws {
        let decision = try Fixtures.gatekeeper().check(
            try Fixtures.request(), cookies: CookieList([]), client: .api, now: Fixtures.now)
        guard case .answer(.unauthenticated) = decision else {
            Issue.record("expected 401, got \(decision)")
            return
        }
    }

    @Test func hostsOutsideTheCookieDomainsGetNoLogin() throws {
        let decision = try Fixtures.gatekeeper().check(
            try Fixtures.request(host: "evilexample.com"), cookies: CookieList([]), client: .browser, now: Fixtures.now)
        guard case .answer(.forbidden) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
    }

    @Test func authHostModeSendsCallbacksToTheAuthHostAndSharesTheCookieDomain() throws {
        let gatekeeper = try Fixtures.gatekeeper(authHost: "auth.example.com")
        let decision = gatekeeper.check(
            try Fixtures.request(host: "app.example.com:8443"), cookies: CookieList([]), client: .browser,
            now: Fixtures.now)
        guard case .login(let plan) = decision else {
            Issue.record("expected login, got \(decision)")
            return
        }
        #expect(plan.redirectURI == "https://auth.example.com/_oauth")
        #expect(plan.cookieDomain == "example.com")
        #expect(plan.returnURL == "https://app.example.com:8443/page?q=1")
    }

    @Test func authHostKeepsItsPortInTheCallbackURL() throws {
        let gatekeeper = try Fixtures.gatekeeper(authHost: "auth.example.com:8443")
        guard
            case .login(let plan) = gatekeeper.check(
                try Fixtures.request(host: "app.example.com:8443"), cookies: CookieList([]), client: .browser,
                now: Fixtures.now)
        else {
            Issue.record("expected login")
            return
        }
        #expect(plan.redirectURI == "https://auth.example.com:8443/_oauth")
        #expect(plan.cookieDomain == "example.com")
    }

    @Test func authHostWithoutCookieDomainsRedirectsOtherHosts307() throws {
        let gatekeeper = try Fixtures.gatekeeper(domains: [], authHost: "auth.example.com")
        let decision = gatekeeper.check(
            try Fixtures.request(host: "app.example.com"), cookies: CookieList([]), client: .browser, now: Fixtures.now)
        guard case .answer(.redirect(let location, let status, _)) = decision else {
            Issue.record("expected redirect, got \(decision)")
            return
        }
        #expect(status == .temporary)
        #expect(location == "https://auth.example.com/page?q=1")
    }

    @Test func allowRulePassesWithoutCookie() throws {
        let gatekeeper = try Fixtures.gatekeeper(rules: [
            RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public`)")
        ])
        let decision = gatekeeper.check(
            try Fixtures.request(uri: "/public/x"), cookies: CookieList([]), client: .api, now: Fixtures.now)
        guard case .answer(.allow(let headers)) = decision else {
            Issue.record("expected allow, got \(decision)")
            return
        }
        #expect(headers.isEmpty)
        // A dot-segment cannot smuggle a protected path under the public prefix: it is not even judged (400).
        #expect(throws: ForwardedRequestError.invalidURI) { try Fixtures.request(uri: "/public/../admin") }
    }

    @Test func denyRuleRefusesEvenWithASession() throws {
        let gatekeeper = try Fixtures.gatekeeper(rules: [
            RuleDefinition(name: "closed", action: .deny, rule: "Host(`app.example.com`)")
        ])
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .browser, now: Fixtures.now)
        guard case .answer(.forbidden) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
    }

    @Test func removedFromTheWhitelistMeansDeniedAtTheNextRequest() throws {
        let gatekeeper = try Fixtures.gatekeeper(access: AccessPolicy(whitelist: ["bob@example.com"]))
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: signedIn(gatekeeper), client: .browser, now: Fixtures.now)
        guard case .answer(.forbidden(_, let user)) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
        #expect(user == "alice@example.com")
    }

    @Test func oneAuthHostWithSeveralCookieDomains() throws {
        let gatekeeper = try Fixtures.gatekeeper(
            domains: ["apps.a.example", "tools.a.example"], authHost: "auth.apps.a.example")
        // The domain that holds the auth host sends callbacks there and shares its cookie domain.
        guard
            case .login(let apps) = gatekeeper.check(
                try Fixtures.request(host: "x.apps.a.example"), cookies: CookieList([]), client: .browser,
                now: Fixtures.now)
        else {
            Issue.record("expected login")
            return
        }
        #expect(apps.redirectURI == "https://auth.apps.a.example/_oauth")
        #expect(apps.cookieDomain == "apps.a.example")
        // The other domain cannot share cookies with the auth host: its hosts take their own callback.
        guard
            case .login(let tools) = gatekeeper.check(
                try Fixtures.request(host: "y.tools.a.example"), cookies: CookieList([]), client: .browser,
                now: Fixtures.now)
        else {
            Issue.record("expected login")
            return
        }
        #expect(tools.redirectURI == "https://y.tools.a.example/_oauth")
        #expect(tools.cookieDomain == nil)
        #expect(tools.returnURL == "https://y.tools.a.example/page?q=1")
    }

    @Test func bearerTokenIsVerifiedWhenThereIsNoSession() throws {
        let decision = try Fixtures.gatekeeper().check(
            try Fixtures.request(extra: [(name: "Authorization", value: "Bearer abc.def.ghi")]),
            cookies: CookieList([]),
            client: .api, now: Fixtures.now)
        guard case .verifyBearer(let token, _) = decision else {
            Issue.record("expected bearer verification, got \(decision)")
            return
        }
        #expect(token == "abc.def.ghi")
    }

    @Test func longReturnURLsAreCapped() {
        let long = "https://app.example.com/p?" + String(repeating: "x", count: 5000)
        #expect(Gatekeeper.capped(long) == "https://app.example.com/p")
        let longPath = "https://app.example.com/" + String(repeating: "p", count: 5000)
        #expect(Gatekeeper.capped(longPath) == "https://app.example.com/")
        // Found by the callback fuzzer: a fragment before the query kept the whole URL.
        let longFragment = "https://app.example.com#" + String(repeating: "f", count: 2100) + "?b"
        #expect(Gatekeeper.capped(longFragment) == "https://app.example.com/")
    }
}
