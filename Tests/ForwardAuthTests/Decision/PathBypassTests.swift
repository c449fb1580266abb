import Testing

@testable import ForwardAuth

/// The bypass class of oauth2-proxy's advisories (GHSA-7rh7-c77v-6434, GHSA-pxq7-h93f-9jrg, GHSA-7x63-xv5r-3p2x):
/// rules judge the normalized path (percent-decoded once, dot-segments resolved, no query, no fragment), so no
/// spelling of a protected path reaches an `allow` rule or slips past a `deny` rule.
@Suite("Rules judge the normalized path")
struct PathBypassTests {
    let gatekeeper: Gatekeeper

    init() throws {
        gatekeeper = try Fixtures.gatekeeper(rules: [
            RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public/`)"),
            RuleDefinition(name: "closed", action: .deny, rule: "PathPrefix(`/admin`)"),
        ])
    }

    func decide(_ uri: String) throws -> Decision {
        gatekeeper.check(try Fixtures.request(uri: uri), cookies: CookieList([]), client: .api, now: Fixtures.now)
    }

    @Test(arguments: [
        "/public/../admin", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin", "/public/..%2fadmin",
        "/public%2f..%2fadmin", "/public/./../admin", "/public/x/../../admin", "/%61dmin", "/admin%2f", "/x/../admin",
        "/./admin", "/admin/../admin/", "//admin", "/public//../admin", "/%2fadmin", "///admin/x",
    ])
    func everySpellingOfTheAdminPathIsDenied(uri: String) throws {
        guard case .forbidden = try decide(uri) else {
            Issue.record("\(uri) was not denied: \(try decide(uri))")
            return
        }
    }

    @Test(arguments: ["/public/../private", "/public/%2e%2e/private", "/PUBLIC/x", "/publicity", "/public"])
    func nothingOutsideThePublicPrefixIsAllowed(uri: String) throws {
        guard case .unauthenticated = try decide(uri) else {
            Issue.record("\(uri) was not sent to authentication: \(try decide(uri))")
            return
        }
    }

    /// `%2f` decodes to `/` like any escape: `/public%2fx` is judged as `/public/x`.
    @Test(arguments: ["/public/a", "/public/a?next=/admin", "/public/a#/../../admin", "/public/x/../y", "/public%2fx"])
    func thePublicPrefixStillPasses(uri: String) throws {
        guard case .allow = try decide(uri) else {
            Issue.record("\(uri) was not allowed: \(try decide(uri))")
            return
        }
    }

    /// Double encoding is decoded once: `%252e%252e` is the text `%2e%2e`, a name, not a dot-segment.
    @Test func doubleEncodingIsDecodedOnlyOnce() throws {
        guard case .allow = try decide("/public/%252e%252e/admin") else {
            Issue.record("a literal %2e%2e segment under /public/ is a public name")
            return
        }
    }
}
