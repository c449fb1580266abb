import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

@Suite("Forwarded request parsing")
struct ForwardedRequestTests {
    private func parse(_ headers: HeaderList, method: String = "GET", uri: String = "/") throws(ForwardedRequestError)
        -> ForwardedRequest
    {
        try ForwardedRequest(headers: headers, method: method, uri: uri)
    }

    @Test func traefikSubrequestIsRebuilt() throws {
        let request = try parse([
            "X-Forwarded-Method": "post", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "App.Example.COM:8443",
            "X-Forwarded-Uri": "/a/b?x=1", "Host": "forward-auth:4181",
        ])
        #expect(request.method == "POST")
        #expect(request.scheme == .https)
        #expect(request.host == "app.example.com")
        #expect(request.authority.port == 8443)
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1")
        #expect(request.url == "https://app.example.com:8443/a/b?x=1")
    }

    @Test(arguments: [("ws", ForwardedRequest.Scheme.http), ("wss", .https), ("HTTPS", .https), ("https,http", .https)])
    func websocketSchemesCountAsHTTP(proto: String, expected: ForwardedRequest.Scheme) throws {
        let request = try parse(["X-Forwarded-Proto": proto, "X-Forwarded-Host": "a.example.com"])
        #expect(request.scheme == expected)
    }

    @Test func absentHeadersFallBackToTheRequestLine() throws {
        let request = try parse(["Host": "auth.example.com"], method: "GET", uri: "/_oauth?code=1&state=2")
        #expect(request.method == "GET")
        #expect(request.scheme == .http)
        #expect(request.host == "auth.example.com")
        #expect(request.path == "/_oauth")
        #expect(request.query == "code=1&state=2")
    }

    /// A second, different value can only come from a client hoping we read another one than the proxy did.
    @Test(arguments: ["X-Forwarded-Method", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Uri"])
    func conflictingDuplicatesAreRefused(header: String) {
        let values = [
            "X-Forwarded-Method": ("GET", "DELETE"), "X-Forwarded-Proto": ("https", "http"),
            "X-Forwarded-Host": ("a.example.com", "admin.example.com"), "X-Forwarded-Uri": ("/public", "/admin"),
        ][header]!
        var pairs: [(name: String, value: String)] = [
            ("X-Forwarded-Host", "a.example.com"), ("X-Forwarded-Uri", "/x"),
        ].filter { $0.name != header }
        pairs += [(header, values.0), (header, values.1)]
        #expect(throws: ForwardedRequestError.conflicting(header)) { try parse(HeaderList(pairs)) }
        // The same value twice is harmless.
        pairs.removeLast()
        pairs.append((header, values.0))
        #expect(throws: Never.self) { try parse(HeaderList(pairs)) }
    }

    /// The bypass an outside review found: a client's prefix in front of the path opened `/admin` under an
    /// `allow PathPrefix(/public)` rule. Untrusted (the default), a prefix is ignored for judging and the return URL.
    @Test func anUntrustedPrefixIsIgnoredButNoted() throws {
        let request = try parse([
            "X-Forwarded-Host": "a.example.com", "X-Forwarded-Prefix": "/public", "X-Forwarded-Uri": "/admin/secret",
        ])
        #expect(request.prefix == "")
        #expect(request.path == "/admin/secret")
        #expect(request.url == "http://a.example.com/admin/secret")
        #expect(request.ignoredPrefix)
        // Even a malformed one: ignored, not judged.
        #expect(try parse(["X-Forwarded-Host": "a.example.com", "X-Forwarded-Prefix": "admin"]).ignoredPrefix)
        #expect(try !parse(["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/x"]).ignoredPrefix)
    }

    @Test func aTrustedPrefixIsJudgedInFrontOfTheURI() throws {
        let headers: HeaderList = [
            "X-Forwarded-Host": "a.example.com", "X-Forwarded-Prefix": "/dkp/kommander/dashboard/",
            "X-Forwarded-Uri": "/x",
        ]
        let request = try ForwardedRequest(headers: headers, method: "GET", uri: "/", trustPrefix: true)
        #expect(request.prefix == "/dkp/kommander/dashboard")
        #expect(request.path == "/dkp/kommander/dashboard/x")
        #expect(request.url == "http://a.example.com/dkp/kommander/dashboard/x")
        #expect(!request.ignoredPrefix)
    }

    /// Found by the review of the fix: judging `normalize(prefix + uri)` let the URI's dot-segments remove the
    /// prefix the proxy routed on (`/admin` + `/%2e%2e/public/x` was `/public/x`). Each part is normalized alone,
    /// and a dot-segment in either is refused.
    @Test(
        arguments: [
            ("/admin", "/%2e%2e/public/x", nil), ("/admin", "/../public/x", nil), ("/admin", "/x/../../public", nil),
            ("/a/b", "/..;/public/x", nil), ("/a/./b/", "/x", nil), ("/a/../b", "/x", nil), ("/..", "/x", nil),
            ("/", "/x", "/x"), ("/a//b/", "/x", "/a/b/x"), ("/a%2Fb", "/x", "/a%2Fb/x"), ("/app", "/", "/app/"),
        ] as [(String, String, String?)])
    func theURICannotClimbOutOfATrustedPrefix(prefix: String, uri: String, judged: String?) {
        let headers: HeaderList = [
            "X-Forwarded-Host": "a.example.com", "X-Forwarded-Prefix": prefix, "X-Forwarded-Uri": uri,
        ]
        let request = try? ForwardedRequest(headers: headers, method: "GET", uri: "/", trustPrefix: true)
        #expect(request?.path == judged)
    }

    /// A direct request's two different `Host`s are refused like repeated forwarded headers (attacker review).
    @Test func twoDifferentHostsAreRefused() {
        let headers = HeaderList([(name: "Host", value: "app.test"), (name: "Host", value: "evil.test")])
        #expect(throws: ForwardedRequestError.conflicting("Host")) {
            try ForwardedRequest(headers: headers, method: "GET", uri: "/_oauth/start?rd=http://evil.test/")
        }
    }

    /// Every value is compared: the middle one of `/a`, `/b`, `/a` counts too.
    @Test func aDisagreeingMiddleValueIsRefused() {
        let headers = HeaderList([
            (name: "X-Forwarded-Host", value: "a.example.com"), (name: "X-Forwarded-Uri", value: "/a"),
            (name: "X-Forwarded-Uri", value: "/b"), (name: "X-Forwarded-Uri", value: "/a"),
        ])
        #expect(throws: ForwardedRequestError.conflicting("X-Forwarded-Uri")) { try parse(headers) }
    }

    /// Trusted, exactly one value: a second (even an equal one) can only be a client's the proxy left in place.
    @Test(arguments: [("/public", "/admin/"), ("/app", "/app")])
    func aTrustedPrefixSentTwiceIsRefused(first: String, second: String) {
        let headers = HeaderList([
            (name: "X-Forwarded-Host", value: "a.example.com"), (name: "X-Forwarded-Prefix", value: first),
            (name: "X-Forwarded-Prefix", value: second), (name: "X-Forwarded-Uri", value: "/x"),
        ])
        #expect(throws: ForwardedRequestError.conflicting("X-Forwarded-Prefix")) {
            try ForwardedRequest(headers: headers, method: "GET", uri: "/", trustPrefix: true)
        }
        #expect(throws: Never.self) { try ForwardedRequest(headers: headers, method: "GET", uri: "/") }
    }

    @Test func aTrustedPrefixMustBeAPath() {
        #expect(throws: ForwardedRequestError.invalidPrefix) {
            let headers: HeaderList = ["X-Forwarded-Host": "a.example.com", "X-Forwarded-Prefix": "admin"]
            return try ForwardedRequest(headers: headers, method: "GET", uri: "/", trustPrefix: true)
        }
    }

    /// Only `/` with `X-Forwarded-Uri` is a proxy's auth subrequest; no other spelling of the request line is.
    @Test(arguments: [
        ("/", true, true), ("/?x=1", true, true), ("/", false, false), ("//", true, false),
        ("/_oauth/auth", true, false),
        ("/%2F", true, false), ("/.", true, false), ("/;", true, false), ("http://a.example.com/", true, false),
        ("", true, false), ("/#", true, false), ("*", true, false),
    ])
    func onlyTheRootWithAForwardedURIIsAnAuthSubrequest(target: String, forwardedURI: Bool, expected: Bool) throws {
        var headers: HeaderList = ["X-Forwarded-Host": "a.example.com"]
        if forwardedURI { headers.fields.append((name: "X-Forwarded-Uri", value: "/app")) }
        let request = try ForwardedRequest(headers: headers, method: "GET", uri: forwardedURI ? target : "/")
        #expect(request.isAuthSubrequest == expected)
    }

    @Test(
        arguments: [
            (["X-Forwarded-Method": "GE T", "X-Forwarded-Host": "a.example.com"], .invalidMethod),
            (["X-Forwarded-Proto": "ftp", "X-Forwarded-Host": "a.example.com"], .invalidProto),
            (["X-Forwarded-Uri": "/"], .missingHost),
            (["X-Forwarded-Host": "a.example.com:99999"], .invalidHost),
            (["X-Forwarded-Host": "a.example.com:x"], .invalidHost),
            (["X-Forwarded-Host": "evil.com/a"], .invalidHost),
            (["X-Forwarded-Host": "user@evil.com"], .invalidHost),
            (["X-Forwarded-Host": "a.example.com\r\nX-Injected: 1"], .invalidHost),
            (["X-Forwarded-Host": ""], .invalidHost),
            (["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "http://evil.com/"], .invalidURI),
            (["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/a b"], .invalidURI),
            (["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/a%zz"], .invalidURI),
            (["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/a%00b"], .invalidURI),
            (["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/a\r\nb"], .invalidURI),
            (
                ["X-Forwarded-Host": "a.example.com", "X-Forwarded-Uri": "/" + String(repeating: "a", count: 9000)],
                .uriTooLong
            ),
        ] as [(HeaderList, ForwardedRequestError)])
    func malformedHeadersAreRefused(headers: HeaderList, expected: ForwardedRequestError) {
        #expect(throws: expected) { try parse(headers) }
    }

    @Test func ipv6HostsKeepTheirBrackets() throws {
        let request = try parse(["X-Forwarded-Host": "[::1]:8443"])
        #expect(request.host == "[::1]")
        #expect(request.authority.port == 8443)
        #expect(request.url == "http://[::1]:8443/")
    }
}

@Suite("Host names and cookie domains")
struct AuthorityTests {
    @Test(arguments: [
        ("example.com", "example.com", true), ("a.example.com", "example.com", true),
        ("a.b.example.com", "example.com", true), ("evilexample.com", "example.com", false),
        ("example.com.evil.com", "example.com", false), ("com", "example.com", false), ("x", "", false),
    ])
    func hostsAreUnderDomainsOnADotBoundary(host: String, domain: String, expected: Bool) {
        #expect(Authority.host(host, isUnder: domain) == expected)
    }

    @Test(arguments: ["a.example.com", "A.Example.Com:443", "[::1]", "[2001:db8::1]:8080", "localhost", "10.0.0.1:1"])
    func validAuthoritiesParse(text: String) {
        #expect(Authority(parsing: text) != nil)
    }

    @Test(
        arguments: [
            ("app.example.com", "app.example.com", nil), ("App.Example.COM", "app.example.com", nil),
            ("app.example.com:8443", "app.example.com", 8443), ("A.b:1", "a.b", 1), ("[::1]:80", "[::1]", 80),
            ("[FE80::A]", "[fe80::a]", nil),
        ] as [(String, String, Int?)])
    func hostsAreLowerCasedWithoutPort(text: String, host: String, port: Int?) throws {
        let authority = try #require(Authority(parsing: text))
        #expect(authority.host == host)
        #expect(authority.port == port)
        #expect(try #require(Authority(parsing: text.dropFirst(0))) == authority)
    }

    @Test(arguments: [
        "", ":80", "a.com:0", "a.com:65536", "[::1", "[::1]x", "a b.com", "a.com:80:80", "...", "a%2ecom", "ä.com",
    ])
    func invalidAuthoritiesDoNot(text: String) {
        #expect(Authority(parsing: text) == nil)
    }
}
