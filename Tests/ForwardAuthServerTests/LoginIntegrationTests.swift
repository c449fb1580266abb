import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// The real server on 127.0.0.1 against a real-HTTP OpenID provider fixture.
@Suite("Login end to end (in-process)")
struct LoginIntegrationTests {
    @Test func anonymousBrowserIsSentToTheProviderWithPKCE() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let response = try await harness.check()
            #expect(response.status == .found)
            let location = try requireValue(response.headers[.location])
            let url = try requireValue(URLComponents(string: location))
            #expect(location.hasPrefix(harness.provider.issuer + "/auth?"))
            let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query["response_type"] == "code")
            #expect(query["client_id"] == "forward-auth")
            #expect(query["redirect_uri"] == "https://app.example.com/_oauth")
            #expect(query["scope"]?.replacingOccurrences(of: "+", with: " ") == "openid profile email groups")
            #expect(query["code_challenge_method"] == "S256")
            #expect(query["code_challenge"]?.count == 43)
            #expect((query["state"]?.count ?? 0) >= 32)
            #expect((query["nonce"]?.count ?? 0) >= 32)
            let setCookie = try requireValue(response.headers[.setCookie])
            #expect(setCookie.hasPrefix("_forward_auth_csrf."))
            #expect(
                setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Lax"))
            #expect(setCookie.contains("Max-Age=600"))
        }
    }

    @Test func callbackMintsTheSessionAndTheCookiePasses() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, callback) = try await harness.login()
            #expect(callback.status == .found)
            #expect(callback.headers[.location] == "https://app.example.com/page?q=1")
            let setCookies = callback.headers[values: .setCookie]
            let session = try requireValue(setCookies.first { $0.hasPrefix("_forward_auth=") })
            #expect(
                session.contains("Domain=example.com") && session.contains("HttpOnly")
                    && session.contains("Max-Age=43200"))
            let name = try requireValue(setCookies.first { $0.hasPrefix("_forward_auth_name=") })
            #expect(!name.contains("HttpOnly"))
            #expect(cookies.keys.allSatisfy { !$0.hasPrefix("_forward_auth_csrf.") })

            let check = try await harness.check(cookies: cookies)
            #expect(check.status == .ok)
            #expect(check.headers[.init("X-Forwarded-User")!] == "alice@example.com")
            // The client secret with `+ % : & space` got through Basic auth (the fixture checks it).
            #expect(harness.provider.state.withLock { $0.tokenRequests } == 1)
        }
    }

    @Test func jsonClientGets401WithAJSONBody() async throws {
        try await ForwardAuthHarness.run { harness in
            let response = try await harness.check(accept: "application/json")
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body).contains("Authentication expired"))
        }
    }

    @Test func authHostWithoutCookieDomainsRedirects307() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.cookieDomains = []
            $0.authHost = Authority(parsing: "auth.example.com")
        }) { harness in
            let response = try await harness.check(host: "app.example.com", uri: "/x?y=1")
            #expect(response.status == .temporaryRedirect)
            #expect(response.headers[.location] == "https://auth.example.com/x?y=1")
        }
    }

    @Test func allowRulePassesWithoutACookie() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.rules = [RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public`)")]
            $0.ruleSet = try! RuleSet($0.rules)
        }) { harness in
            let response = try await harness.check(uri: "/public/index.html", accept: "application/json")
            #expect(response.status == .ok)
            #expect(response.headers[.init("X-Forwarded-User")!] == nil)
        }
    }

    /// A 403 says "forbidden"; which rule, role or binding refused is for the log line alone (issue 15).
    @Test func aRefusalNamesNoRule() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.rules = [RuleDefinition(name: "secret-admin-area", action: .deny, rule: "PathPrefix(`/admin`)")]
            $0.ruleSet = try! RuleSet($0.rules)
        }) { harness in
            for accept in ["application/json", "text/html", "application/xml", "text/plain"] {
                let response = try await harness.check(uri: "/admin", accept: accept)
                #expect(response.status == .forbidden, "\(accept)")
                let body = String(buffer: response.body)
                #expect(!body.contains("secret-admin-area") && !body.contains("rule"), "\(accept): \(body)")
                #expect(body.lowercased().contains(accept == "text/html" ? "not allowed" : "forbidden"), "\(accept)")
            }
        }
    }

    @Test func wrongIssuerInTheTokenIsRefusedWithAReadablePage() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            harness.provider.update { $0.tokenIssuer = "http://127.0.0.1:1/look-alike" }
            let (cookies, callback) = try await harness.login()
            #expect(callback.status == .unauthorized)
            #expect(callback.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: callback.body).contains("could not be verified"))
            #expect(cookies["_forward_auth"] == nil)
        }
    }

    /// A callback routed straight to us with only `Host` (issue 15: HTTPTypes keeps `Host` as the authority, so
    /// the fallback found nothing and answered 400): a full login whose callback carries no `X-Forwarded-*`.
    @Test func aDirectCallbackFallsBackToTheHostHeader() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let start = try await harness.check(host: "app.example.com", uri: "/page", proto: "http")
            let location = try #require(start.headers[.location])
            let jar = ForwardAuthHarness.cookies(from: start)
            let back = try await harness.authorize(location)
            let port = try requireValue(harness.client.port, "port")
            let request =
                "GET \(back.path)?\(back.percentEncodedQuery ?? "") HTTP/1.1\r\nHost: app.example.com\r\n"
                + "Cookie: \(jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))\r\n\r\n"
            let answer = try #require(try await RawHTTP.exchange(port: port, [request]).first)
            #expect(answer.status == 302, "\(answer.status) \(answer.body)")
            #expect(answer.values("Location") == ["http://app.example.com/page"])
        }
    }

    @Test func malformedForwardedHeadersAre400NotACrash() async throws {
        try await ForwardAuthHarness.run { harness in
            let response = try await harness.check(host: "app.example.com:99999")
            #expect(response.status == .badRequest)
            let uri = try await harness.check(uri: "http://evil.example/")
            #expect(uri.status == .badRequest)
        }
    }

    @Test func probesAnswerOnlyUnforwardedRequests() async throws {
        try await ForwardAuthHarness.run { harness in
            let health = try await harness.client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            // A protected app's own probe paths are checked like any other path, whoever claims to ask
            // (CVE-2026-34457 class: a probe User-Agent must not open the gate).
            for path in ["/healthz", "/readyz", "/readyz?require=provider"] {
                for agent in ["kube-probe/1.31", "Prometheus/2.53.0", "curl/8.5.0"] {
                    let forwarded = try await harness.check(
                        uri: path, accept: "application/json", extra: [.userAgent: agent])
                    #expect(forwarded.status == .unauthorized, "\(path) as \(agent)")
                }
            }
        }
    }

    @Test func logoutClearsTheSessionAndIsNever2xx() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, _) = try await harness.login()
            let logout = try await harness.check(uri: "/_oauth/logout", cookies: cookies)
            #expect(logout.status == .unauthorized)
            let cleared = ForwardAuthHarness.cookies(from: logout)
            #expect(cleared["_forward_auth"] == "")
        }
    }
}

/// The provider can be down when we start: probes still answer, sessions still pass, and logins start once
/// it appears.
@Suite("Provider outage at start")
struct ProviderOutageTests {
    @Test func probesAnswerWhileTheProviderIsDownThenItBecomesReady() async throws {
        let outage = Outage()
        try await ForwardAuthHarness.run(transport: { OutageTransport(outage: outage, wrapped: $0) }) { harness in
            let health = try await harness.client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let strict = try await harness.client.execute(uri: "/readyz?require=provider", method: .get)
            #expect(strict.status == .serviceUnavailable)
            let ready = try await harness.client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains(#""provider":{"ready":false"#))
            let login = try await harness.check()
            #expect(login.status == .serviceUnavailable)

            outage.end()
            try await harness.waitUntilProviderReady()
            let afterwards = try await harness.check()
            #expect(afterwards.status == .found)
        }
    }
}

final class Outage: Sendable {
    private let down = Mutex(true)
    var isDown: Bool { down.withLock { $0 } }
    func end() { down.withLock { $0 = false } }
}

import Synchronization

struct OutageTransport: HTTPTransport {
    let outage: Outage
    let wrapped: any HTTPTransport

    struct ConnectionRefused: Error {}

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        if outage.isDown { throw ConnectionRefused() }
        return try await wrapped.send(request)
    }
}
