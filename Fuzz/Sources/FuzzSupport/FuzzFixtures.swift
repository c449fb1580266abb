import ForwardAuth
import ForwardAuthWire
import Logging

/// The fixed deployment every fuzz target judges against: cookie domain `example.com`, a fixed secret, and
/// rules whose effect the targets can check (`blocked` is the longest rule, so it is tried first).
package enum FuzzFixtures {
    package static let now: Int64 = 1_800_000_000
    package static let secret = Array("fuzz-secret-0123456789abcdef-0123".utf8)
    package static let cookieDomain = "example.com"
    package static let email = "alice@example.com"

    package static let cookieSettings: CookieSettings = {
        var settings = CookieSettings()
        settings.domains = [cookieDomain]
        return settings
    }()

    package static let keys = CookieKeys(secret: secret)
    package static let sessions = SessionCookies(settings: cookieSettings, keys: keys)
    package static let loginStates = LoginStateCookies(settings: cookieSettings, keys: keys)

    package static let rules = [
        RuleDefinition(
            name: "blocked", action: .deny,
            rule: "PathPrefix(`/admin`) || PathPrefix(`/internal/`) || Path(`/.env`) || Method(`TRACE`)"),
        RuleDefinition(name: "public", action: .allow, rule: "Host(`docs.example.com`) || PathPrefix(`/public`)"),
        RuleDefinition(
            name: "api", rule: "Host(`api.example.com`) && HeadersRegexp(`X-Role`, `^adm`)", groups: ["admins"]),
        RuleDefinition(name: "health", action: .allow, rule: "Path(`/healthz`) && Method(`GET`, `HEAD`)"),
        RuleDefinition(name: "debug", rule: "Query(`debug=1`) && HostRegexp(`{sub:[a-z]+}.example.com`)"),
    ]

    /// Paths the `blocked` rule refuses whatever else holds: what a normalization bypass would let through.
    package static func isBlocked(path: String, method: String) -> Bool {
        path.hasPrefix("/admin") || path.hasPrefix("/internal/") || path == "/.env" || method == "TRACE"
    }

    /// Paths and hosts the `public` and `health` rules let through without a session (when not blocked).
    package static func isPublic(host: String, path: String, method: String) -> Bool {
        host == "docs.example.com" || path.hasPrefix("/public")
            || (path == "/healthz" && (method == "GET" || method == "HEAD"))
    }

    package static let ruleSet: RuleSet = {
        do {
            let set = try RuleSet(rules)
            precondition(set.definitions.first?.name == "blocked", "the fixture's deny rule must be tried first")
            return set
        } catch {
            fatalError("the fuzz fixture's rules do not compile: \(error)")
        }
    }()

    package static let gatekeeper = Gatekeeper(
        settings: Gatekeeper.Settings(), rules: ruleSet, sessions: sessions, access: AccessPolicy())

    /// The same deployment in auth-host mode (`auth-host = auth.example.com`).
    package static let authHostGatekeeper: Gatekeeper = {
        var settings = Gatekeeper.Settings()
        settings.authHost = Authority(host: "auth.example.com")
        return Gatekeeper(settings: settings, rules: ruleSet, sessions: sessions, access: AccessPolicy())
    }()

    /// Auth-host mode without cookie domains: every other host is sent to the auth host.
    package static let authHostOnlyGatekeeper: Gatekeeper = {
        var settings = Gatekeeper.Settings()
        settings.authHost = Authority(host: "auth.example.com")
        return Gatekeeper(
            settings: settings, rules: ruleSet, sessions: SessionCookies(settings: CookieSettings(), keys: keys),
            access: AccessPolicy())
    }()

    package static let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

    /// The nonce `FixedRandom` mints for a login, which the fake provider's ID tokens carry.
    package static let nonce = "fuzz-nonce-0123456789abcdef"

    /// The decision engine around `gatekeeper`, as the server builds it: the entry point the fuzz targets call.
    package static func engine(_ gatekeeper: Gatekeeper, nonce: String = nonce) -> DecisionEngine {
        DecisionEngine(
            loginFlow: LoginFlow(
                gatekeeper: gatekeeper, loginStates: loginStates, provider: FakeIdentityProvider(expectedNonce: nonce),
                logoutRedirect: nil),
            random: FixedRandom(), logger: logger)
    }

    /// A session that opens at `now`.
    package static func session(groups: [String] = ["devs"]) -> Session {
        Session(
            email: email, name: "Alice Example", groups: groups, issuedAt: now, expiresAt: now + 3600,
            id: FixedRandom(seed: 1).bytes(16))
    }

    /// The `Cookie` header of a browser holding `session`, as the code mints it.
    package static func sessionCookieHeader(_ session: Session = session()) -> String {
        BrowserCookies.header(
            for: sessions.issue(session, host: "app.example.com", existing: CookieList([]), random: FixedRandom()))
    }
}
