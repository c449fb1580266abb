import Logging
import Synchronization
import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthWire

/// Old (Go) and new pods behind one Service: the logins that cross from one to the other end, signed in or on a
/// page, never in a redirect loop (docs/swap-rollout.md). The Go side of each sequence is played by e2e/go-cookies
/// in scripts/test-go-cookies; here, forward-auth's side.
@Suite("Rollout: Go and forward-auth pods side by side")
struct GoRolloutTests {
    static let vector = GoCookieVector.named("valid-aes256")
    static let now = vector.date + 30
    let random = CountingRandom()
    let logger = Logger(label: "test")

    func flow(_ provider: FakeProvider = FakeProvider()) -> LoginFlow {
        var configuration = Configuration.testing(secret: Secret(GoCookieVector.secret))
        configuration.encryptionKey = Secret(Self.vector.encryptionKey)
        return LoginFlow(configuration, gatekeeper: Gatekeeper(configuration), provider: provider)
    }

    /// A Go pod started the login (CSRF cookie `_forward_auth_csrf` = 32 hex nonce, state `nonce:url`) and the
    /// provider's redirect reached a new pod: a page, not a redirect, and no code redeemed.
    @Test func goLoginCallbackOnANewPodShowsAPage() async throws {
        let provider = FakeProvider()
        let nonce = "0123456789abcdef0123456789abcdef"
        let state = "\(nonce):https://app.example.com/page"
        let decision = await flow(provider).complete(
            try Fixtures.request(uri: "/_oauth?code=abc&state=\(state)"),
            cookies: ["_forward_auth_csrf": nonce] as CookieList, now: Self.now, random: random, logger: logger)
        guard case .loginFailed(let failure, _) = decision else {
            Issue.record("expected a page, got \(decision)")
            return
        }
        #expect(failure == .stateMismatch)
        #expect(failure.page.status == 401)
        #expect(provider.calls.withLock { $0.redeemed.isEmpty })
    }

    /// Go's CSRF cookie never counts as ours, nor ours as Go's: ours are `<csrf-cookie-name>.<id>`.
    @Test func aNewLoginBesideGosCSRFCookieCompletes() async throws {
        let flow = flow()
        let goCSRF = (name: "_forward_auth_csrf", value: "0123456789abcdef0123456789abcdef")
        let request = try Fixtures.request()
        guard
            case .login(let plan) = flow.gatekeeper.check(
                request, cookies: CookieList([goCSRF]), client: .browser, now: Self.now)
        else {
            Issue.record("expected a login")
            return
        }
        guard
            case .redirect(let location, _, let started) = flow.start(
                plan, cookies: CookieList([goCSRF]), now: Self.now, random: random, logger: logger)
        else {
            Issue.record("expected the provider's URL")
            return
        }
        #expect(!started.contains { $0.name == "_forward_auth_csrf" })
        let state = try #require(
            location.split(separator: "&").first { $0.contains("state=") }?.split(separator: "=").last)
        let browser = Fixtures.jar(started, keeping: CookieList([goCSRF]))
        let decision = await flow.complete(
            try Fixtures.request(uri: "/_oauth?code=abc&state=\(state)"), cookies: browser, now: Self.now + 5,
            random: random, logger: logger)
        guard case .redirect(_, _, let signedIn) = decision else {
            Issue.record("expected the return redirect, got \(decision)")
            return
        }
        let after = Fixtures.jar(signedIn, keeping: browser)
        guard case .valid(let session) = flow.gatekeeper.sessions.session(from: after, now: Self.now + 6) else {
            Issue.record("no session after the login")
            return
        }
        #expect(session.source == .sealed)
    }

    /// A Go session that expired logs in again; the new login writes forward-auth's own session over the Go ID
    /// cookie (same name), so the browser leaves the Go format behind.
    @Test func anExpiredGoSessionLogsInAndGetsTheNewFormat() async throws {
        let flow = flow()
        let expired = Self.vector.date + 43201
        let request = try Fixtures.request()
        guard
            case .login(let plan) = flow.gatekeeper.check(
                request, cookies: Self.vector.cookies, client: .browser, now: expired)
        else {
            Issue.record("expected a login")
            return
        }
        guard
            case .redirect(let location, _, let started) = flow.start(
                plan, cookies: Self.vector.cookies, now: expired, random: random, logger: logger)
        else {
            Issue.record("expected the provider's URL")
            return
        }
        let state = try #require(
            location.split(separator: "&").first { $0.contains("state=") }?.split(separator: "=").last)
        let browser = Fixtures.jar(started, keeping: Self.vector.cookies)
        guard
            case .redirect(_, _, let signedIn) = await flow.complete(
                try Fixtures.request(uri: "/_oauth?code=abc&state=\(state)"), cookies: browser, now: expired + 5,
                random: random, logger: logger)
        else {
            Issue.record("expected the return redirect")
            return
        }
        let after = Fixtures.jar(signedIn, keeping: browser)
        #expect(after.value("_forward_auth")?.hasPrefix("v1.") == true)
        guard case .valid(let session) = flow.gatekeeper.sessions.session(from: after, now: expired + 6) else {
            Issue.record("no session after the login")
            return
        }
        #expect(session.source == .sealed)
    }
}
