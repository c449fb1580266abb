import ForwardAuth
import ForwardAuthWire
import Logging

/// A realistic deployment and request for the check path: a cookie domain, allow-lists, ten rules of the kinds
/// operators write, and the header set Traefik's ForwardAuth middleware sends for a browser's page load.
package enum CheckPathFixture {
    /// Seconds since 1970: the clock every benchmark passes in.
    package static let now: Int64 = 1_800_000_000
    static let secret = Array("bench-secret-0123456789abcdef0123456789".utf8)

    /// Ten rules: literal hosts and prefixes, templates (regexes), header and method matchers, a negation.
    /// None of them matches the fixture request except the last one tried (`app`), so `match` walks them all.
    package static let rules: [RuleDefinition] = [
        RuleDefinition(name: "probes", action: .allow, rule: "Path(`/healthz`) || Path(`/readyz`)"),
        RuleDefinition(name: "static", action: .allow, rule: "Host(`app.example.com`) && PathPrefix(`/static/`)"),
        RuleDefinition(name: "metrics", action: .deny, rule: "PathPrefix(`/metrics`, `/debug/pprof`)"),
        RuleDefinition(
            name: "grafana", rule: "Host(`grafana.example.com`, `grafana.ops.example.com`)", groups: ["ops"]),
        RuleDefinition(name: "dashboards", rule: "HostRegexp(`{cluster:[a-z0-9-]+}.k8s.example.com`)"),
        RuleDefinition(
            name: "hooks", action: .allow,
            rule: "Host(`ci.example.com`) && PathPrefix(`/hooks/`) && Method(`POST`)"),
        RuleDefinition(name: "docs", action: .allow, rule: "HostRegexp(`docs.{env:(?:dev|staging|prod)}.example.com`)"),
        RuleDefinition(
            name: "api-xhr", rule: "Host(`api.example.com`) && Headers(`X-Requested-With`, `XMLHttpRequest`)"),
        RuleDefinition(
            name: "admin", action: .deny,
            rule: "Host(`app.example.com`) && PathPrefix(`/admin`) && !Headers(`X-Admin`, `yes`)"),
        RuleDefinition(name: "app", rule: "Host(`app.example.com`)", domains: ["example.com"]),
    ]

    package static func cookieSettings() -> CookieSettings {
        var settings = CookieSettings()
        settings.domains = ["example.com"]
        return settings
    }

    /// The gatekeeper of a typical deployment: cookie domain `example.com`, allowed domain and groups set.
    package static func gatekeeper() throws -> Gatekeeper {
        Gatekeeper(
            settings: Gatekeeper.Settings(), rules: try RuleSet(rules),
            sessions: SessionCookies(settings: cookieSettings(), keys: CookieKeys(secret: secret)),
            access: AccessPolicy(domains: ["example.com"], groups: ["devs", "ops"]))
    }

    /// The decision engine around `gatekeeper()`, as the server builds it: what every check goes through. Its
    /// provider is never reached on the measured path.
    package static func engine() throws -> DecisionEngine {
        let gatekeeper = try gatekeeper()
        return DecisionEngine(
            loginFlow: LoginFlow(
                gatekeeper: gatekeeper,
                loginStates: LoginStateCookies(
                    settings: gatekeeper.sessions.settings, keys: CookieKeys(secret: secret)),
                provider: OfflineProvider(), logoutRedirect: nil),
            random: FixedRandom(), logger: Logger(label: "check-path", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// A session as a login leaves it: a handful of groups, twelve hours to live.
    package static let session = Session(
        email: "alice@example.com", name: "Alice Example",
        groups: ["devs", "ops", "k8s-viewers", "grafana-editors", "oncall"], issuedAt: now - 600,
        expiresAt: now + 43_200, id: Array(repeating: 7, count: 16))

    /// The session cookie value, sealed by the real `SessionCookies.issue`.
    package static func sessionCookie(_ sessions: SessionCookies) -> String {
        let issued = sessions.issue(
            session, host: "app.example.com", existing: CookieList([]), random: FixedRandom())
        return issued.first { $0.name == sessions.settings.sessionName }?.value ?? ""
    }

    /// The cookies a browser sends: analytics, the session, the display name.
    package static func cookies(_ sessions: SessionCookies) -> CookieList {
        CookieList([
            (name: "_ga", value: "GA1.1.1234567890.1700000000"),
            (name: sessions.settings.sessionName, value: sessionCookie(sessions)),
            (name: sessions.settings.userName, value: "Alice%20Example"),
        ])
    }

    /// The subrequest's own request line: Traefik sends the original method to the forward-auth address's path.
    package static let requestMethod = "GET"
    package static let requestTarget = "/"

    /// What Traefik 2/3 sends for a browser loading `https://app.example.com/dashboard/team/42?tab=overview`:
    /// the original request's headers plus the `X-Forwarded-*` set.
    package static func headers(cookieHeader: String) -> HeaderList {
        HeaderList([
            (name: "Host", value: "forward-auth.auth.svc.cluster.local:4181"),
            (name: "User-Agent", value: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
            (
                name: "Accept",
                value: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
            ),
            (name: "Accept-Encoding", value: "gzip, deflate, br, zstd"),
            (name: "Accept-Language", value: "en-US,en;q=0.5"),
            (name: "Cookie", value: cookieHeader),
            (name: "Sec-Fetch-Dest", value: "document"),
            (name: "Sec-Fetch-Mode", value: "navigate"),
            (name: "Sec-Fetch-Site", value: "same-origin"),
            (name: "Upgrade-Insecure-Requests", value: "1"),
            (name: "X-Forwarded-For", value: "203.0.113.7, 10.0.0.12"),
            (name: "X-Forwarded-Host", value: "app.example.com"),
            (name: "X-Forwarded-Method", value: "GET"),
            (name: "X-Forwarded-Port", value: "443"),
            (name: "X-Forwarded-Proto", value: "https"),
            (name: "X-Forwarded-Server", value: "traefik-7d9f8c6b5-x2k4q"),
            (name: "X-Forwarded-Uri", value: "/dashboard/team/42?tab=overview"),
            (name: "X-Real-Ip", value: "203.0.113.7"),
        ])
    }

    /// The `Cookie` header of `cookies`, as the browser joins it.
    /// The subrequest as Traefik writes it to the socket: request line, `headers`, empty line.
    package static func requestBytes(_ headers: HeaderList) -> [UInt8] {
        let fields = headers.fields.map { "\($0.name): \($0.value)\r\n" }.joined()
        return Array("\(requestMethod) \(requestTarget) HTTP/1.1\r\n\(fields)\r\n".utf8)
    }

    package static func cookieHeader(_ cookies: CookieList) -> String {
        cookies.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    /// Fixed bytes: the benchmarks seal once at setup, and a fixed nonce keeps runs comparable.
    struct FixedRandom: RandomSource {
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }
    }
}
