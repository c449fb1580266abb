import Logging
import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthWire

/// A browser signed in by the Go fork, checked by forward-auth configured with the same secret and encryption-key:
/// the same answer as for a forward-auth session of that user and groups.
@Suite("Sessions carried over from the Go fork")
struct GoSessionsTests {
    static let vector = GoCookieVector.named("valid-aes256")
    static let now = vector.date + 30

    static func configuration(accept: Bool = true, whitelist: [String] = []) -> Configuration {
        var configuration = Configuration.testing(secret: Secret(GoCookieVector.secret))
        configuration.encryptionKey = Secret(vector.encryptionKey)
        configuration.acceptGoCookies = accept
        configuration.enableImpersonation = true
        configuration.whitelist = whitelist
        return configuration
    }

    static func gatekeeper(_ configuration: Configuration = configuration()) -> Gatekeeper {
        Gatekeeper(configuration, serviceAccountToken: ServiceAccountToken("sa-token"))
    }

    @Test func theGoCookiesOpenAsASessionMarkedAsFromTheGoFork() throws {
        let lookup = Self.gatekeeper().sessions.session(from: Self.vector.cookies, now: Self.now)
        guard case .valid(let session) = lookup else {
            Issue.record("expected a session, got \(lookup)")
            return
        }
        #expect(session.source == .goCookie)
        #expect(session.email == "alice@example.com")
        #expect(session.expiresAt == Self.vector.date + 43200)
    }

    /// The engine says whose session authenticated a check, which the server counts
    /// (`forward_auth_go_sessions_total`).
    @Test func theJudgementNamesTheGoForksSession() throws {
        let configuration = Self.configuration()
        let gatekeeper = Self.gatekeeper(configuration)
        let engine = DecisionEngine(
            loginFlow: LoginFlow(configuration, gatekeeper: gatekeeper, provider: FakeProvider()),
            random: CountingRandom(), logger: Logger(label: "test"))
        let cookieHeader = Self.vector.cookies.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        let fromGo = engine.judge(
            method: "GET", target: "/", headers: Fixtures.headers(extra: [(name: "Cookie", value: cookieHeader)]),
            now: Self.now)
        #expect(fromGo.session == .goCookie)
        guard case .allow = fromGo.decision else {
            Issue.record("expected allow, got \(fromGo.next)")
            return
        }
        let anonymous = engine.judge(method: "GET", target: "/", headers: Fixtures.headers(), now: Self.now)
        #expect(anonymous.session == nil)
    }

    @Test func acceptGoCookiesOffOpensNothing() {
        let gatekeeper = Self.gatekeeper(Self.configuration(accept: false))
        #expect(gatekeeper.sessions.session(from: Self.vector.cookies, now: Self.now) == .invalid)
        let decision = gatekeeper.check(
            try! Fixtures.request(), cookies: Self.vector.cookies, client: .browser, now: Self.now)
        guard case .login = decision else {
            Issue.record("expected a login, got \(decision)")
            return
        }
    }

    @Test func anExpiredGoSessionIsExpired() {
        #expect(
            Self.gatekeeper().sessions.session(from: Self.vector.cookies, now: Self.vector.date + 43201) == .expired)
    }

    @Test func aBrokenGoSessionLogsInOrIs401() throws {
        let cookies: CookieList = ["_forward_auth": Self.vector.id, "_forward_auth_claims": "junk"]
        let gatekeeper = Self.gatekeeper()
        #expect(gatekeeper.sessions.session(from: cookies, now: Self.now) == .invalid)
        let browser = gatekeeper.check(try Fixtures.request(), cookies: cookies, client: .browser, now: Self.now)
        guard case .login = browser else {
            Issue.record("expected a login, got \(browser)")
            return
        }
        let api = gatekeeper.check(try Fixtures.request(), cookies: cookies, client: .api, now: Self.now)
        guard case .answer(.unauthenticated) = api else {
            Issue.record("expected 401, got \(api)")
            return
        }
    }

    /// The identity headers are those of a forward-auth session for the same user and groups.
    @Test func theAnswerIsTheSameAsForOurOwnSession() throws {
        let gatekeeper = Self.gatekeeper()
        let fromGo = gatekeeper.check(
            try Fixtures.request(), cookies: Self.vector.cookies, client: .browser, now: Self.now)
        let ours = Session(
            email: "alice@example.com", name: "Alice Example", groups: ["admins", "devs", "<ops&sre>", "équipe"],
            issuedAt: Self.now, expiresAt: Self.now + 3600, id: Array(repeating: 3, count: 16))
        let jar = Fixtures.jar(
            gatekeeper.sessions.issue(ours, host: "app.example.com", existing: CookieList([]), random: CountingRandom())
        )
        let fromOurs = gatekeeper.check(try Fixtures.request(), cookies: jar, client: .browser, now: Self.now)
        guard case .answer(.allow(let goHeaders)) = fromGo, case .answer(.allow(let ourHeaders)) = fromOurs else {
            Issue.record("expected both allowed, got \(fromGo) and \(fromOurs)")
            return
        }
        #expect(goHeaders.map(\.name) == ourHeaders.map(\.name))
        #expect(goHeaders.map(\.value) == ourHeaders.map(\.value))
        #expect(goHeaders.contains { $0.name == "Impersonate-Group" && $0.value == "oidc:admins" })
        #expect(goHeaders.contains { $0.name == "X-Forwarded-User" && $0.value == "alice@example.com" })
    }

    @Test func theAllowListsStillApply() throws {
        let gatekeeper = Self.gatekeeper(Self.configuration(whitelist: ["bob@example.com"]))
        let decision = gatekeeper.check(
            try Fixtures.request(), cookies: Self.vector.cookies, client: .browser, now: Self.now)
        guard case .answer(.forbidden(_, let user)) = decision else {
            Issue.record("expected 403, got \(decision)")
            return
        }
        #expect(user == "alice@example.com")
    }

    /// Our own cookie opens first; the Go reader never sees it.
    @Test func ourOwnSessionIsReadAsBefore() throws {
        let gatekeeper = Self.gatekeeper()
        let ours = Session(
            email: "carol@example.com", name: "Carol", groups: ["ops"], issuedAt: Self.now,
            expiresAt: Self.now + 3600, id: Array(repeating: 5, count: 16))
        var jar = Fixtures.jar(
            gatekeeper.sessions.issue(ours, host: "app.example.com", existing: CookieList([]), random: CountingRandom())
        )
        jar.pairs.append((name: "_forward_auth_claims", value: Self.vector.claims))
        #expect(gatekeeper.sessions.session(from: jar, now: Self.now) == .valid(ours))
    }

    @Test func theOptionIsOnByDefaultAndTurnsOff() throws {
        #expect(try ConfigurationInput.valid().configuration.acceptGoCookies)
        let off = try ConfigurationInput.valid(
            environment: ConfigurationInput.environment(["ACCEPT_GO_COOKIES": "false"]))
        #expect(!off.configuration.acceptGoCookies)
        let flag = try ConfigurationInput.valid(["--accept-go-cookies=false"])
        #expect(!flag.configuration.acceptGoCookies)
        #expect(GoCookieReader(off.configuration) == nil)
    }

    /// An encryption key of a length the fork could not seal with: said at start, not silently ignored.
    @Test func anUnusableEncryptionKeyIsWarnedAbout() throws {
        let environment = ConfigurationInput.environment(["ENCRYPTION_KEY": String(repeating: "k", count: 20)])
        let warned = try ConfigurationInput.valid(environment: environment)
        #expect(warned.warnings.contains { $0.hasPrefix("accept-go-cookies: encryption-key is 20 bytes") })
        let off = try ConfigurationInput.valid(
            environment: ConfigurationInput.environment([
                "ENCRYPTION_KEY": String(repeating: "k", count: 20), "ACCEPT_GO_COOKIES": "false",
            ]))
        #expect(!off.warnings.contains { $0.hasPrefix("accept-go-cookies") })
        let usable = try ConfigurationInput.valid(
            environment: ConfigurationInput.environment(["ENCRYPTION_KEY": String(repeating: "k", count: 32)]))
        #expect(!usable.warnings.contains { $0.hasPrefix("accept-go-cookies") })
    }

    @Test func theReaderNeedsAnEncryptionKeyTheForkCouldUse() {
        var configuration = Self.configuration()
        #expect(GoCookieReader(configuration) != nil)
        configuration.encryptionKey = nil
        #expect(GoCookieReader(configuration) == nil)
        configuration.encryptionKey = Secret(String(repeating: "k", count: 20))
        #expect(GoCookieReader(configuration) == nil)
    }
}
