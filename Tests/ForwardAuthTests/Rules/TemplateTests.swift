import ForwardAuth
import Testing

@Suite("Host and path templates")
struct TemplateTests {
    typealias Case = (rule: String, request: TestRuleRequest, matches: Bool)

    static func atHost(_ host: String) -> TestRuleRequest { TestRuleRequest(host: host) }
    static func atPath(_ path: String) -> TestRuleRequest { TestRuleRequest(path: path) }

    @Test(
        arguments: [
            ("Host(`{sub:[a-z]+}.example.com`)", atHost("app.example.com"), true),
            ("Host(`{sub:[a-z]+}.example.com`)", atHost("app1.example.com"), false),
            ("HostRegexp(`{sub:[a-z]+}.example.com`)", atHost("app.example.com"), true),
            // Anchored at both ends.
            ("Host(`{sub:[a-z]+}.example.com`)", atHost("app.example.com.evil.org"), false),
            ("Host(`{sub:[a-z]+}.example.com`)", atHost("x.app.example.com"), false),
            // {name} alone is one label: [^.]+
            ("Host(`{sub}.example.com`)", atHost("app.example.com"), true),
            ("Host(`{sub}.example.com`)", atHost("a.b.example.com"), false),
            ("Host(`{sub:(?:[a-z]+\\.)+}example.com`)", atHost("a.b.example.com"), true),
            // Hosts match case-insensitively, the regex part too.
            ("Host(`{sub:[A-Z]+}.Example.com`)", atHost("app.example.com"), true),
            ("Host(`{a:[a-z]+}-{b:[0-9]{2}}.example.com`)", atHost("app-42.example.com"), true),
            ("Host(`{a:[a-z]+}-{b:[0-9]{2}}.example.com`)", atHost("app-421.example.com"), false),
            ("Host(`{any:.*}`)", atHost("whatever.org"), true),
            // The literal text around the variables is checked before the regex runs: case-insensitively,
            // and prefix and suffix may not overlap.
            ("Host(`api.{env:[a-z]+}.Example.com`)", atHost("API.prod.EXAMPLE.com"), true),
            ("Host(`api.{env:[a-z]+}.example.com`)", atHost("web.prod.example.com"), false),
            ("Host(`api.{env:[a-z]*}.example.com`)", atHost("api.example.com"), false),
            ("Host(`api.{env:[a-z]*}.example.com`)", atHost("api..example.com"), true),
            // ICU folds the Kelvin sign onto k: a non-ASCII host goes to the regex, which decides.
            ("Host(`{sub:[a-z]+}.k8s.example.com`)", atHost("a.\u{212A}8s.example.com"), true),
        ] as [Case])
    func hostTemplates(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    @Test(
        arguments: [
            ("Path(`/user/{id:[0-9]+}`)", atPath("/user/42"), true),
            ("Path(`/user/{id:[0-9]+}`)", atPath("/user/4a"), false),
            ("Path(`/user/{id:[0-9]+}`)", atPath("/user/42/x"), false),
            ("PathPrefix(`/user/{id:[0-9]+}`)", atPath("/user/42/x"), true),
            ("PathPrefix(`/user/{id:[0-9]+}`)", atPath("/x/user/42"), false),
            // {name} alone is one segment: [^/]+
            ("Path(`/user/{id}`)", atPath("/user/x"), true),
            ("Path(`/user/{id}`)", atPath("/user/x/y"), false),
            ("Path(`/user/{id}`)", atPath("/user/"), false),
            ("Path(`/{a}/{b:[a-z]+}`)", atPath("/1/x"), true),
            // Paths are case-sensitive, and the literal part is quoted: '.' is a dot, '+' a plus.
            ("Path(`/{id:[a-z]+}.json`)", atPath("/a.JSON"), false),
            ("Path(`/{id:[a-z]+}.json`)", atPath("/axjson"), false),
            ("Path(`/c++/{x}`)", atPath("/c++/y"), true),
            ("Path(`/{x:a|b}c`)", atPath("/ac"), true),
            ("Path(`/{x:a|b}c`)", atPath("/a"), false),
            // A prefix template demands nothing after its last variable; a whole-path one does.
            ("PathPrefix(`/v{n:[0-9]}/api`)", atPath("/v1/api/users"), true),
            ("Path(`/v{n:[0-9]}/api`)", atPath("/v1/apix"), false),
            ("Path(`/v{n:[0-9]}/api`)", atPath("/V1/api"), false),
        ] as [Case])
    func pathTemplates(rule: String, request: TestRuleRequest, matches: Bool) throws {
        #expect(try RuleTesting.matches(rule, request) == matches)
    }

    /// Bad templates: position (in characters) and message.
    @Test(arguments: [
        ("Path(`a`)", 7, "Path: path must start with '/'"),
        ("Path(\"a\")", 7, "Path: path must start with '/'"),
        ("Path(\"\\x61\")", 6, "Path: path must start with '/'"),
        ("PathPrefix(`{x}`)", 13, "PathPrefix: path must start with '/'"),
        ("Path(`/{id:[0-9]+`)", 8, "Path: unbalanced braces"),
        ("Path(`/id}`)", 10, "Path: unbalanced braces"),
        ("Path(`/{:[0-9]+}`)", 8, "Path: missing name or pattern in {…}"),
        ("Path(`/{id:}`)", 8, "Path: missing name or pattern in {…}"),
        ("Path(`/{id:(a|b)}`)", 12, "Path: capturing group in a template (write (?:…))"),
        ("Path(`/{x:a)b}`)", 12, "Path: unexpected ')'"),
        ("Host(`a.com:8080`)", 12, "Host: host must not include a port (rules judge the host without port)"),
        ("Host(`{s}.a.com:443`)", 16, "Host: host must not include a port (rules judge the host without port)"),
        ("Host(`[::1]:443`)", 12, "Host: host must not include a port (rules judge the host without port)"),
        ("Host(`bücher.de`)", 8, "Host: host must be ASCII (write the punycode form)"),
        ("Query(`a`)", 8, "Query: arguments must be key=value"),
        ("Query(`=a`)", 8, "Query: arguments must be key=value"),
        ("Query(`{a}=1`)", 8, "Query: a query key cannot be a template"),
        ("Query(`a=b=c`)", 11, "Query: a query value cannot contain '='"),
        ("Query(`a={n:(x)}`)", 13, "Query: capturing group in a template (write (?:…))"),
    ])
    func refuses(rule: String, position: Int, message: String) {
        let errors = RuleTesting.errors(rule)
        #expect(errors.map(\.message) == [message])
        #expect(errors.map(\.position) == [position])
    }
}
