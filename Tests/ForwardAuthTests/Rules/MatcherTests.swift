import ForwardAuth
import Testing

@Suite("Rule matchers")
struct MatcherTests {
    typealias Case = (rule: String, request: TestRuleRequest, matches: Bool)

    static func atHost(_ host: String) -> TestRuleRequest { TestRuleRequest(host: host) }
    static func atPath(_ path: String) -> TestRuleRequest { TestRuleRequest(path: path) }
    static func withMethod(_ method: String) -> TestRuleRequest { TestRuleRequest(method: method) }
    static func withQuery(_ query: String) -> TestRuleRequest { TestRuleRequest(query: query) }
    static func withHeaders(_ headers: [(name: String, value: String)]) -> TestRuleRequest {
        TestRuleRequest(headers: headers)
    }

    @Test(
        arguments: [
            ("Host(`app.example.com`)", atHost("app.example.com"), true),
            ("Host(`App.Example.COM`)", atHost("app.example.com"), true),
            ("Host(`app.example.com`)", atHost("APP.example.com"), true),
            ("Host(`example.com`)", atHost("app.example.com"), false),
            ("Host(`app.example.co`)", atHost("app.example.com"), false),
            ("Host(`app.example.comm`)", atHost("app.example.com"), false),
            ("Host(`a.com`, `app.example.com`)", atHost("app.example.com"), true),
            ("Host(`a.com`, `b.com`)", atHost("app.example.com"), false),
            ("HostHeader(`app.example.com`)", atHost("app.example.com"), true),
            ("Host(`[::1]`)", atHost("[::1]"), true),
            ("HostRegexp(`app.example.com`)", atHost("app.example.com"), true),
            // Outside braces a template is literal: the dot is a dot.
            ("HostRegexp(`app.example.com`)", atHost("appxexample.com"), false),
        ] as [Case])
    func host(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    @Test(
        arguments: [
            ("Path(`/a`)", atPath("/a"), true),
            ("Path(`/a`)", atPath("/a/"), false),
            ("Path(`/a`)", atPath("/ab"), false),
            ("Path(`/a`)", atPath("/A"), false),
            ("Path(`/a`, `/b`)", atPath("/b"), true),
            ("Path(`/é`)", atPath("/é"), true),
            ("PathPrefix(`/api`)", atPath("/api"), true),
            ("PathPrefix(`/api`)", atPath("/api/x"), true),
            // Traefik v2's PathPrefix is a plain string prefix, not a segment match.
            ("PathPrefix(`/api`)", atPath("/apix"), true),
            ("PathPrefix(`/api`)", atPath("/ap"), false),
            ("PathPrefix(`/api`)", atPath("/API/x"), false),
            ("PathPrefix(`/x`, `/api/`)", atPath("/api/v1"), true),
        ] as [Case])
    func path(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    @Test(
        arguments: [
            ("Method(`GET`)", withMethod("GET"), true),
            ("Method(`GET`)", withMethod("POST"), false),
            ("Method(`get`)", withMethod("GET"), true),
            ("Method(`GET`, `POST`)", withMethod("POST"), true),
            ("Method(`POST`)", withMethod("post"), true),
            ("Method(`GET`)", withMethod("GETX"), false),
        ] as [Case])
    func method(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    @Test(
        arguments: [
            ("Headers(`X-Role`, `admin`)", withHeaders([("X-Role", "admin")]), true),
            ("Headers(`X-Role`, `admin`)", withHeaders([("x-role", "admin")]), true),
            ("Headers(`x-role`, `admin`)", withHeaders([("X-ROLE", "admin")]), true),
            ("Headers(`X-Role`, `admin`)", withHeaders([("X-Role", "Admin")]), false),
            ("Headers(`X-Role`, `admin`)", withHeaders([("X-Role", "admin ")]), false),
            ("Headers(`X-Role`, `admin`)", withHeaders([("X-Role", "user"), ("X-Role", "admin")]), true),
            ("Headers(`X-Role`, `admin`)", withHeaders([("X-Other", "admin")]), false),
            ("HeadersRegexp(`X-Role`, `^adm`)", withHeaders([("X-Role", "admin")]), true),
            ("HeadersRegexp(`X-Role`, `^adm`)", withHeaders([("X-Role", "superadmin")]), false),
            // Unanchored, as Go's regexp.MatchString.
            ("HeadersRegexp(`X-Role`, `adm`)", withHeaders([("X-Role", "superadmin")]), true),
            ("HeadersRegexp(`x-role`, `^(admin|root)$`)", withHeaders([("X-Role", "user"), ("X-Role", "root")]), true),
            ("HeadersRegexp(`X-Role`, `.*`)", withHeaders([]), false),
        ] as [Case])
    func headers(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    @Test(
        arguments: [
            ("Query(`a=1`)", withQuery("a=1"), true),
            ("Query(`a=1`)", withQuery("a=2"), false),
            ("Query(`a=1`)", withQuery("b=1&a=1"), true),
            // Only the first occurrence of the key counts (mux reads the first value).
            ("Query(`a=1`)", withQuery("a=2&a=1"), false),
            ("Query(`a=1`)", withQuery("a=%31"), true),
            ("Query(`a b=x y`)", withQuery("a+b=x%20y"), true),
            ("Query(`a=1`)", withQuery("a"), false),
            ("Query(`a=1`)", withQuery(""), false),
            // A pair that does not decode, or holds ';', is skipped as Go's url.ParseQuery does.
            ("Query(`a=1`)", withQuery("a=%zz&a=1"), true),
            ("Query(`a=1`)", withQuery("a=1;b=2"), false),
            ("Query(`a=`)", withQuery("a"), true),
            ("Query(`a=`)", withQuery("a="), true),
            ("Query(`a=`)", withQuery("b=1"), false),
            ("Query(`a=1`, `b=2`)", withQuery("b=2&a=1"), true),
            ("Query(`a=1`, `b=2`)", withQuery("a=1"), false),
            ("Query(`n={n:[0-9]+}`)", withQuery("n=12"), true),
            ("Query(`n={n:[0-9]+}`)", withQuery("n=1x"), false),
            ("Query(`n={n}`)", withQuery("n="), true),
        ] as [Case])
    func query(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }
}
