import Logging
import Synchronization
import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// An identity provider that answers from memory and records what it was asked.
final class FakeProvider: IdentityProviderClient {
    struct Calls {
        var redeemed: [(code: String, verifier: String, redirectURI: String)] = []
        var verifiedNonces: [String] = []
        var brokered: [(token: String, audience: String?)] = []
    }

    let calls = Mutex(Calls())
    let identity: Identity
    let failure: LoginError?
    let available: Bool
    let endSession: String?

    init(
        identity: Identity = Identity(email: "alice@example.com", displayName: "Alice", groups: ["devs"]),
        failure: LoginError? = nil, available: Bool = true, endSession: String? = nil
    ) {
        self.identity = identity
        self.failure = failure
        self.available = available
        self.endSession = endSession
    }

    func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String? {
        guard available else { return nil }
        return
            "https://dex.example.com/auth?state=\(state)&nonce=\(nonce)&code_challenge=\(codeChallenge)&redirect_uri=\(redirectURI)"
    }

    func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        calls.withLock { $0.redeemed.append((code, codeVerifier, redirectURI)) }
        if let failure, failure.kind == .providerUnavailable { throw failure }
        return "id-token"
    }

    func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity {
        calls.withLock { $0.verifiedNonces.append(nonce) }
        if let failure { throw failure }
        return identity
    }

    func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        if let failure { throw failure }
        return identity
    }

    func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64) async throws(LoginError)
        -> Identity
    {
        calls.withLock { $0.brokered.append((idToken, brokerAudience)) }
        if let failure { throw failure }
        return identity
    }

    func endSessionEndpoint() async -> String? { endSession }
}

@Suite("Login flow")
struct LoginFlowTests {
    let random = CountingRandom()
    let logger = Logger(label: "test")

    func flow(
        _ provider: FakeProvider = FakeProvider(), access: AccessPolicy = AccessPolicy(),
        authHost: String? = nil, logoutRedirect: String? = nil
    ) throws -> LoginFlow {
        let gatekeeper = try Fixtures.gatekeeper(authHost: authHost, access: access)
        return LoginFlow(
            gatekeeper: gatekeeper,
            loginStates: LoginStateCookies(
                settings: Fixtures.cookieSettings(), keys: CookieKeys(secret: Fixtures.secret)),
            provider: provider, logoutRedirect: logoutRedirect)
    }

    /// Starts a login and returns the browser's cookies and the state sent to the provider.
    func startLogin(_ flow: LoginFlow, host: String = "app.example.com") async throws -> (CookieList, String) {
        let request = try Fixtures.request(host: host)
        guard
            case .login(let plan) = flow.gatekeeper.check(
                request, cookies: CookieList([]), client: .browser, now: Fixtures.now)
        else {
            throw TestFailure("no login plan")
        }
        let decision = flow.start(
            plan, cookies: CookieList([]), now: Fixtures.now, random: random, logger: logger)
        guard case .redirect(let location, .found, let cookies) = decision else {
            throw TestFailure("no redirect: \(decision)")
        }
        let state = try #require(
            location.split(separator: "&").first { $0.contains("state=") }?.split(separator: "=").last)
        return (Fixtures.jar(cookies), String(state))
    }

    func callback(
        _ flow: LoginFlow, cookies: CookieList, query: String, host: String = "app.example.com",
        now: Int64 = Fixtures.now + 5
    ) async throws -> Decision {
        await flow.complete(
            try Fixtures.request(host: host, uri: "/_oauth?\(query)"), cookies: cookies, now: now,
            random: random, logger: logger)
    }

    @Test func fullLoginMintsASessionAndReturnsToTheStartingPage() async throws {
        let provider = FakeProvider()
        let flow = try flow(provider)
        let (cookies, state) = try await startLogin(flow)
        let decision = try await callback(flow, cookies: cookies, query: "code=abc&state=\(state)")
        guard case .redirect(let location, .found, let setCookies) = decision else {
            Issue.record("expected redirect, got \(decision)")
            return
        }
        #expect(location == "https://app.example.com/page?q=1")
        let browser = Fixtures.jar(setCookies, keeping: cookies)
        guard case .valid(let session) = flow.gatekeeper.sessions.session(from: browser, now: Fixtures.now + 10) else {
            Issue.record("no session")
            return
        }
        #expect(session.email == "alice@example.com")
        #expect(session.groups == ["devs"])
        // The login-state cookie is cleared.
        #expect(!browser.pairs.contains { $0.name.hasPrefix("_forward_auth_csrf.") })
        // The verifier and redirect_uri saved at start are the ones used at the exchange.
        let redeemed = try #require(provider.calls.withLock { $0.redeemed.first })
        #expect(redeemed.code == "abc")
        #expect(redeemed.redirectURI == "https://app.example.com/_oauth")
        #expect(redeemed.verifier.count == 43)
    }

    @Test func aStateFromAnotherBrowserIsRefused() async throws {
        let flow = try flow()
        let (_, state) = try await startLogin(flow)
        let (otherCookies, _) = try await startLogin(flow)
        let decision = try await callback(flow, cookies: otherCookies, query: "code=abc&state=\(state)")
        guard case .loginFailed(let failure, _) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == 401)
    }

    @Test func aReplayedCallbackIsRefused() async throws {
        let flow = try flow()
        let (cookies, state) = try await startLogin(flow)
        let first = try await callback(flow, cookies: cookies, query: "code=abc&state=\(state)")
        guard case .redirect(_, _, let setCookies) = first else {
            Issue.record("first callback failed")
            return
        }
        let replay = try await callback(
            flow, cookies: Fixtures.jar(setCookies, keeping: cookies), query: "code=abc&state=\(state)")
        guard case .loginFailed(let failure, _) = replay, case let page = failure.page else {
            Issue.record("expected page, got \(replay)")
            return
        }
        #expect(page.status == 401)
    }

    @Test func anExpiredLoginIsRefused() async throws {
        let flow = try flow()
        let (cookies, state) = try await startLogin(flow)
        let decision = try await callback(
            flow, cookies: cookies, query: "code=abc&state=\(state)",
            now: Fixtures.now + LoginState.lifetime + 1)
        guard case .loginFailed(let failure, _) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == 401)
    }

    @Test(arguments: [
        (LoginError(.invalidToken, "iss mismatch"), 401), (LoginError(.providerUnavailable, "token endpoint 500"), 502),
        (LoginError(.missingEmail, "no email"), 403),
    ])
    func tokenProblemsBecomeReadablePages(error: LoginError, status: Int) async throws {
        let flow = try flow(FakeProvider(failure: error))
        let (cookies, state) = try await startLogin(flow)
        let decision = try await callback(flow, cookies: cookies, query: "code=abc&state=\(state)")
        guard case .loginFailed(let failure, let setCookies) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == status)
        #expect(!page.message.contains("iss mismatch"))
        #expect(setCookies.allSatisfy { $0.maxAge == 0 })
    }

    @Test func usersOutsideTheAllowListsGetNoSession() async throws {
        let flow = try flow(access: AccessPolicy(domains: ["corp.example"]))
        let (cookies, state) = try await startLogin(flow)
        let decision = try await callback(flow, cookies: cookies, query: "code=abc&state=\(state)")
        guard case .loginFailed(let failure, let setCookies) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == 403)
        #expect(!setCookies.contains { $0.name == "_forward_auth" && $0.maxAge > 0 })
    }

    @Test func providerErrorParameterIsShownSanitized() async throws {
        let flow = try flow()
        let decision = try await callback(flow, cookies: CookieList([]), query: "error=access_denied%3Cscript%3E%0A")
        guard case .loginFailed(let failure, _) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == 401)
        #expect(!page.message.contains("\n"))
    }

    @Test func providerDownMeansAClear503() async throws {
        let flow = try flow(FakeProvider(available: false))
        let plan = LoginPlan(
            returnURL: "https://app.example.com/", redirectURI: "https://app.example.com/_oauth", cookieDomain: nil)
        let decision = flow.start(
            plan, cookies: CookieList([]), now: Fixtures.now, random: random, logger: logger)
        guard case .loginFailed(let failure, _) = decision, case let page = failure.page else {
            Issue.record("expected page, got \(decision)")
            return
        }
        #expect(page.status == 503)
    }

    @Test(arguments: [
        ("https%3A%2F%2Fother.example.com%2Fx%3Fy%3D1", "https://other.example.com/x?y=1"),
        ("https%3A%2F%2Fevil.example%2F", "https://app.example.com/"),
        ("%2F%2Fevil.example", "https://app.example.com/"),
    ])
    func startLinkFollowsOnlyAllowedReturnURLs(rd: String, expected: String) async throws {
        let flow = try flow()
        let started = flow.startFromLink(
            try Fixtures.request(uri: "/_oauth/start?rd=\(rd)"), cookies: CookieList([]), now: Fixtures.now,
            random: random, logger: logger)
        guard case .redirect(let location, _, let cookies) = started,
            let state = location.split(separator: "&").first(where: { $0.contains("state=") })?.split(separator: "=")
                .last
        else {
            Issue.record("expected redirect, got \(started)")
            return
        }
        let decision = try await callback(flow, cookies: Fixtures.jar(cookies), query: "code=c&state=\(state)")
        guard case .redirect(let back, _, _) = decision else {
            Issue.record("expected redirect, got \(decision)")
            return
        }
        #expect(back == expected)
    }

    @Test func logoutClearsCookiesAndNeverAnswers2xx() async throws {
        let flow = try flow()
        let decision = await flow.logout(
            try Fixtures.request(uri: "/_oauth/logout"), cookies: CookieList([]),
            session: nil, logger: logger)
        guard case .signedOut(let cookies) = decision else {
            Issue.record("expected the signed-out page, got \(decision)")
            return
        }
        #expect(Page.signedOut.status == 401)
        #expect(cookies.contains { $0.name == "_forward_auth" && $0.maxAge == 0 })

        let redirecting = try self.flow(logoutRedirect: "https://example.com/bye")
        guard
            case .redirect(let location, _, _) = await redirecting.logout(
                try Fixtures.request(uri: "/_oauth/logout"), cookies: CookieList([]), session: nil, logger: logger)
        else {
            Issue.record("expected redirect")
            return
        }
        #expect(location == "https://example.com/bye")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
