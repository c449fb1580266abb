import Testing

@testable import ForwardAuth

@Suite("Return URLs: no open redirect")
struct ReturnURLPolicyTests {
    let withDomains = ReturnURLPolicy(cookieDomains: ["example.com"], authHost: "auth.example.com")
    let hostOnly = ReturnURLPolicy(cookieDomains: [], authHost: nil)
    let app = Authority(host: "app.example.com")!

    @Test(arguments: [
        "https://app.example.com/x?y=1", "http://example.com", "https://a.b.example.com:8443/p#f",
        "HTTPS://APP.EXAMPLE.COM/", "https://auth.example.com/",
    ])
    func urlsUnderTheCookieDomainAreFollowed(url: String) {
        #expect(withDomains.validate(url, start: app, secure: false) == url)
    }

    @Test(arguments: [
        "//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example/",
        "https://user@app.example.com/", "https://app.example.com@evil.example/", "https://evilexample.com/",
        "https://app.example.com.evil.example/", "https://app%2eexample.com/", "https://evil.example%2f.example.com/",
        "https://app.exаmple.com/", "javascript:alert(1)", "JaVaScRiPt://app.example.com/%0aalert(1)",
        "https://app.example.com\\@evil.example/", "https://app.example.com/\r\nLocation: x", "ftp://app.example.com/",
        "https://app.example.com:99999/", "", "/relative/path", "https://[::1]/", "https://app.example.com /",
    ])
    func everythingElseIsRefused(url: String) {
        #expect(withDomains.validate(url, start: app, secure: false) == nil)
    }

    @Test func withoutCookieDomainsTheHostAndPortMustBeWhereTheFlowStarted() {
        #expect(hostOnly.validate("https://app.example.com/x", start: app, secure: true) != nil)
        #expect(hostOnly.validate("https://app.example.com:443/x", start: app, secure: true) != nil)
        #expect(hostOnly.validate("https://other.example.com/x", start: app, secure: true) == nil)
        // The port is kept (issue 15): another port on the same host is another origin.
        #expect(hostOnly.validate("https://app.example.com:444/x", start: app, secure: true) == nil)
        let onPort = Authority(host: "app.example.com", port: 8443)!
        #expect(hostOnly.validate("https://app.example.com:8443/x", start: onPort, secure: true) != nil)
        #expect(hostOnly.validate("https://app.example.com/x", start: onPort, secure: true) == nil)
        // A downgrade to http is refused with or without cookie domains; without them, https on the default port
        // is another port than http's.
        #expect(hostOnly.validate("https://app.example.com/x", start: app, secure: false) == nil)
        #expect(hostOnly.validate("http://app.example.com/x", start: app, secure: false) != nil)
        #expect(hostOnly.validate("http://app.example.com/x", start: app, secure: true) == nil)
        #expect(withDomains.validate("http://app.example.com/x", start: app, secure: true) == nil)
        #expect(withDomains.validate("https://other.example.com:8443/x", start: app, secure: true) != nil)
    }

    @Test func loginsStartOnlyForServedHosts() {
        #expect(withDomains.mayStartLogin(forHost: "app.example.com"))
        #expect(withDomains.mayStartLogin(forHost: "auth.example.com"))
        #expect(!withDomains.mayStartLogin(forHost: "evilexample.com"))
        #expect(hostOnly.mayStartLogin(forHost: "anything.example"))
    }
}

@Suite("Routing our endpoints")
struct RouteTests {
    @Test(
        arguments: [
            ("/_oauth", "/", Route.callback), ("/_oauth/logout", "/", .logout), ("/app", "/", .check),
            ("/app", "/_oauth/auth", .checkWithoutRedirect), ("/app", "/_oauth/start", .startLogin),
            ("/_oauthx", "/", .check), ("/_oauth/", "/", .check),
        ] as [(String, String, Route)])
    func forwardedPathsRouteFirst(forwarded: String, requestLine: String, expected: Route) {
        #expect(Route(forwardedPath: forwarded[...], requestLinePath: requestLine[...], urlPath: "/_oauth") == expected)
    }

    @Test func requestLineRoutesWhenNotForwarded() {
        #expect(Route(forwardedPath: nil, requestLinePath: "/_oauth", urlPath: "/_oauth") == .callback)
        #expect(Route(forwardedPath: nil, requestLinePath: "/_oauth/logout", urlPath: "/_oauth") == .logout)
        #expect(Route(forwardedPath: nil, requestLinePath: "/", urlPath: "/_oauth") == .check)
    }

    @Test func pathOfTargetDropsQuery() {
        #expect(Route.path(of: "/_oauth?code=1") == "/_oauth")
        #expect(Route.path(of: "/a#b") == "/a")
    }
}

@Suite("Browser or API client")
struct ClientKindTests {
    @Test(
        arguments: [
            ("text/html,application/xhtml+xml,*/*;q=0.8", ClientKind.browser), ("*/*", .browser),
            ("*/* ; q=1", .browser),
            ("application/json", .api), ("application/json, */*", .api), (nil, .api), ("", .api),
        ] as [(String?, ClientKind)])
    func acceptDecides(accept: String?, expected: ClientKind) {
        #expect(ClientKind(accept: accept) == expected)
    }
}
