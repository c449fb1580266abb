import Testing

@testable import ForwardAuth

@Suite("RBAC nonResourceURLs")
struct RBACURLPatternTests {
    @Test(
        "Default patterns: exact, or prefix with a trailing *; / entries on the path, others on the URL",
        arguments: [
            ("*", "https://app.example.com/anything/at/all", true),
            ("/", "https://app.example.com/", true),
            ("/", "https://app.example.com/x", false),
            ("/admin", "https://app.example.com/admin", true),
            ("/admin", "https://app.example.com/admin/", false),
            ("/admin", "https://app.example.com/Admin", false),
            ("/admin/*", "https://app.example.com/admin/users/1", true),
            ("/admin/*", "https://app.example.com/admin/", true),
            ("/admin/*", "https://app.example.com/admin", false),
            ("/admin*", "https://app.example.com/administrator", true),
            ("/admin**", "https://app.example.com/admin/x", true),
            ("/a*b", "https://app.example.com/a*b", true),  // a star not at the end is literal
            ("/a*b", "https://app.example.com/axb", false),
            ("https://app.example.com/admin", "https://app.example.com/admin", true),
            ("https://app.example.com/admin", "http://app.example.com/admin", false),
            ("https://app.example.com/admin", "https://app.example.com/admin/x", false),
            ("https://app.example.com/*", "https://app.example.com/x/y", true),
            ("https://app.example.com/*", "https://other.example.com/x", false),
            ("https://app.example.com/*", "https://app.example.com.evil.example/x", false),
            ("https://app.example.com*", "https://app.example.com.evil.example/x", true),  // as written
            ("https://app.example.com:8443/*", "https://app.example.com:8443/x", true),
            ("https://app.example.com:8443/*", "https://app.example.com/x", false),
            ("app.example.com/*", "https://app.example.com/x", false),  // not a path, not the URL's start
        ])
    func defaultPatterns(entry: String, url: String, allowed: Bool) {
        #expect(RBACFixture.allows(urls: [entry], url) == allowed)
    }

    @Test(
        "~REGEX: Go syntax on scheme://authority/path, unanchored unless the regex anchors",
        arguments: [
            (#"~^https://app\.example\.com/api/"#, "https://app.example.com/api/v1", true),
            (#"~^https://app\.example\.com/api/"#, "https://evil.example/https://app.example.com/api/", false),
            (#"~/api/v[0-9]+/"#, "https://any.example/x/api/v2/y", true),
            (#"~/api/v[0-9]+$"#, "https://any.example/api/v2/y", false),
            (#"~/api/v[0-9]+$"#, "https://any.example/api/v2", true),
            (#"~^https?://(my|our)domain\.com/"#, "http://ourdomain.com/admin", true),
            (#"~^https?://(my|our)domain\.com/"#, "http://theirdomain.com/", false),
            (#"~\d+"#, "https://h.example/x/١٢", false),  // \d is ASCII in RE2
            (#"~(?=admin)"#, "https://h.example/admin", false),  // lookahead: refused, skipped
            (#"~(a)\1"#, "https://h.example/aa", false),  // backreference: refused
            ("~", "https://h.example/", false),
        ])
    func regexEntries(entry: String, url: String, allowed: Bool) {
        #expect(RBACFixture.allows(urls: [entry], url) == allowed)
    }

    @Test(
        "v3 globs: anchored, * within one segment, ** across segments",
        arguments: [
            ("/ops/portal/*.png", "https://h.example/ops/portal/xyz.png", true),
            ("/ops/portal/*.png", "https://h.example/ops/portal/res/xyz.png", false),
            ("/ops/portal/**/*.png", "https://h.example/ops/portal/res/xyz.png", true),
            ("/ops/portal/kibana", "https://h.example/ops/portal/kibana/app", false),
            ("/ops/portal/kibana/**", "https://h.example/ops/portal/kibana/app/kibana", true),
            ("/xyz/*/subpath3", "https://h.example/xyz/subpath1/subpath2", false),
            ("/admin/*", "https://h.example/admin/x", true),
            ("/admin/*", "https://h.example/admin/", true),
            ("/admin/*", "https://h.example/admin/x/y", false),  // a prefix match before v3
            ("/admin*", "https://h.example/administrator", true),
            ("/a*b", "https://h.example/a*b", true),  // a pattern matches itself, as in Go
            ("/x/**", "https://h.example/x/a\nb", false),  // ** is Go's '.', no newline
            ("https://*.example.com/**", "https://app.example.com/x/y", true),
            ("https://*.example.com/**", "https://a.b.example.com/x", true),
            ("https://*.example.com/**", "https://example.org/x", false),
            ("https://*.example.com/**", "http://app.example.com/x", false),
            ("/a.c", "https://h.example/abc", false),  // no regex characters in globs
        ])
    func v3Globs(entry: String, url: String, allowed: Bool) {
        #expect(RBACFixture.allows(urls: [entry], v3: true, url) == allowed)
    }

    @Test func anyEntryOfARuleMayMatch() {
        #expect(RBACFixture.allows(urls: ["/one", "/two/*"], "https://h.example/two/x"))
        #expect(!RBACFixture.allows(urls: ["/one", "/two/*"], "https://h.example/three"))
    }

    @Test func aBadEntryIsSkippedAndReportedWhileTheOthersWork() {
        let store = RBACPolicyStore()
        let problems = store.replaceAll(
            roles: [RBACFixture.role("r", urls: ["~(?<=x)y", "", "/ok"])],
            bindings: [RBACFixture.binding("b", role: "r", .group("system:authenticated"))])
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("\"r\"") && $0.contains("lookbehind") })
        #expect(problems.contains { $0.contains("empty pattern") })
        let authorizer = RBACAuthorizer(store: store)
        #expect(RBACFixture.isAllowed(RBACFixture.check(authorizer, "https://h.example/ok")))
        #expect(!RBACFixture.isAllowed(RBACFixture.check(authorizer, "https://h.example/xy")))
    }

    @Test func globsStayLinearOnHostileInput() {
        let glob = URLPattern.Glob("/**a**a**a**a**a**a**a**a**b")
        let path = "/" + String(repeating: "a", count: 8000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!glob.matches(path.utf8, count: path.utf8.count)) }
        #expect(elapsed < .seconds(2))
    }

    @Test func inputsBeyondTheLimitMatchNoGlobOrRegex() {
        let long = "/" + String(repeating: "a", count: URLPattern.maximumInputLength)
        #expect(!RBACFixture.allows(urls: ["/**"], v3: true, "https://h.example" + long))
        #expect(!RBACFixture.allows(urls: ["~a"], "https://h.example" + long))
        #expect(RBACFixture.allows(urls: ["/*"], "https://h.example" + long))  // a prefix needs no bound
    }
}
