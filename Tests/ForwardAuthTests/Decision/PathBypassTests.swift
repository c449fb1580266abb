import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// The bypass class of oauth2-proxy's advisories (GHSA-7rh7-c77v-6434, GHSA-pxq7-h93f-9jrg, GHSA-7x63-xv5r-3p2x):
/// rules judge the normalized path (percent-decoded once but for `%2F`, empty segments merged, no query, no
/// fragment), and a path an upstream could resolve otherwise (dot-segments, also behind `;params` or between
/// encoded slashes, `%5C`) is refused with a 400 (issue 15), so no spelling of a protected path reaches an `allow`
/// rule or slips past a `deny` rule.
@Suite("Rules judge the normalized path")
struct PathBypassTests {
    let gatekeeper: Gatekeeper

    init() throws {
        gatekeeper = try Fixtures.gatekeeper(rules: [
            RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public/`)"),
            RuleDefinition(name: "closed", action: .deny, rule: "PathPrefix(`/admin`)"),
        ])
    }

    func decide(_ uri: String) throws -> CheckVerdict {
        gatekeeper.check(try Fixtures.request(uri: uri), cookies: CookieList([]), client: .api, now: Fixtures.now)
    }

    @Test(arguments: ["/%61dmin", "//admin", "///admin/x", "/%61dmin/x", "/admin;x", "/admin/x;y=1"])
    func everySpellingOfTheAdminPathIsDenied(uri: String) throws {
        guard case .answer(.forbidden) = try decide(uri) else {
            Issue.record("\(uri) was not denied: \(try decide(uri))")
            return
        }
    }

    /// Dot-segments, however spelled, and encoded backslashes: 400, whatever the rules say.
    @Test(arguments: [
        "/public/../admin", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin", "/public/..%2fadmin",
        "/public%2f..%2fadmin", "/public/./../admin", "/public/x/../../admin", "/x/../admin", "/./admin",
        "/admin/../admin/", "/public//../admin", "/public/..;/admin", "/public/..;x=1/admin", "/public/.;/admin",
        "/public/%2e%2e;/admin", "/public/%2E;jsessionid=1/admin", "/public%5Cadmin", "/public/%5c../admin",
        "/public/x%5C", "/%2fadmin", "/admin%2f", "/public/a%2F%2Fb", "/;x/admin", "/public/;/../admin", "/..",
        "/public/x/..", "/public/.", "/admin/;x=1", "/public/#/../../admin", "/#/../admin", "/public/a#frag",
        "/public\\..\\admin", "/public/a\\b",
    ])
    func ambiguousPathsAre400(uri: String) {
        #expect(throws: ForwardedRequestError.invalidURI) { try Fixtures.request(uri: uri) }
    }

    @Test(arguments: ["/PUBLIC/x", "/publicity", "/public", "/public%2fx", "/public%2Fx/y"])
    func nothingOutsideThePublicPrefixIsAllowed(uri: String) throws {
        guard case .answer(.unauthenticated) = try decide(uri) else {
            Issue.record("\(uri) was not sent to authentication: \(try decide(uri))")
            return
        }
    }

    @Test(arguments: [
        "/public/a", "/public/a?next=/admin", "/public/a%2Fb", "/public/.well-known",
    ])
    func thePublicPrefixStillPasses(uri: String) throws {
        guard case .answer(.allow) = try decide(uri) else {
            Issue.record("\(uri) was not allowed: \(try decide(uri))")
            return
        }
    }

    /// `%2F` stays encoded: one segment, never split, never part of dot-segment removal.
    @Test func anEncodedSlashStaysInItsSegment() throws {
        #expect(try Fixtures.request(uri: "/public/a%2fb/c").path == "/public/a%2Fb/c")
        #expect(try Fixtures.request(uri: "/api/%61%2F%62").path == "/api/a%2Fb")
    }

    /// Double encoding is decoded once: `%252e%252e` is the text `%2e%2e`, a name, not a dot-segment.
    @Test func doubleEncodingIsDecodedOnlyOnce() throws {
        guard case .answer(.allow) = try decide("/public/%252e%252e/admin") else {
            Issue.record("a literal %2e%2e segment under /public/ is a public name")
            return
        }
    }
}
