import ForwardAuth

@testable import ForwardAuthWire

/// Shared building blocks for domain tests: a configured gatekeeper and forwarded requests.
enum Fixtures {
    static let now: Int64 = 1_800_000_000
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)

    static func cookieSettings(domains: [String] = ["example.com"]) -> CookieSettings {
        var settings = CookieSettings()
        settings.domains = domains
        return settings
    }

    static func gatekeeper(
        domains: [String] = ["example.com"], authHost: String? = nil, rules: [RuleDefinition] = [],
        defaultAction: RuleAction = .auth, access: AccessPolicy = AccessPolicy(),
        identityHeaders: IdentityHeaders = IdentityHeaders(), rbac: RBACAuthorizer? = nil,
        skipAuthPreflight: Bool = false
    ) throws -> Gatekeeper {
        var settings = Gatekeeper.Settings()
        settings.authHost = authHost.flatMap { Authority(parsing: $0) }
        settings.defaultAction = defaultAction
        settings.skipAuthPreflight = skipAuthPreflight
        return Gatekeeper(
            settings: settings, rules: try RuleSet(rules),
            sessions: SessionCookies(settings: cookieSettings(domains: domains), keys: CookieKeys(secret: secret)),
            access: access, identityHeaders: identityHeaders, rbac: rbac)
    }

    static func request(
        host: String = "app.example.com", uri: String = "/page?q=1", method: String = "GET", proto: String = "https",
        extra: [(name: String, value: String)] = []
    ) throws -> ForwardedRequest {
        try ForwardedRequest(
            headers: headers(host: host, uri: uri, method: method, proto: proto, extra: extra), method: "GET", uri: "/")
    }

    /// The headers of a proxy's subrequest (to `/`) for `request`'s forwarded request.
    static func headers(
        host: String = "app.example.com", uri: String = "/page?q=1", method: String = "GET", proto: String = "https",
        extra: [(name: String, value: String)] = []
    ) -> HeaderList {
        HeaderList(
            [
                (name: "X-Forwarded-Method", value: method), (name: "X-Forwarded-Proto", value: proto),
                (name: "X-Forwarded-Host", value: host), (name: "X-Forwarded-Uri", value: uri),
            ] + extra)
    }

    static func session(email: String = "alice@example.com", groups: [String] = ["devs"]) -> Session {
        Session(
            email: email, name: "Alice", groups: groups, issuedAt: now, expiresAt: now + 3600,
            id: Array(repeating: 1, count: 16))
    }

    /// The cookies a browser holds after `setCookies` (deleted ones dropped).
    static func jar(_ setCookies: [SetCookie], keeping existing: CookieList = CookieList([])) -> CookieList {
        var pairs = existing.pairs
        for cookie in setCookies {
            pairs.removeAll { $0.name == cookie.name }
            if cookie.maxAge > 0 { pairs.append((cookie.name, cookie.value)) }
        }
        return CookieList(pairs)
    }
}
