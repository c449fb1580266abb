import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// The SSO broker through the real server: one instance plays the UI cluster (auth.ui.example.com, cookie domain
/// ui.example.com) and an attached cluster (app.attached.example.com), which share no cookie, as two clusters
/// on two domains do. Each side's cookies are kept in a jar of its own.
@Suite("SSO broker end to end (in-process)")
struct BrokerIntegrationTests {
    static let uiHost = "auth.ui.example.com"
    static let attachedHost = "app.attached.example.com"
    static let callback = "https://app.attached.example.com/_oauth/sso/callback"
    static let brokerURL = "https://auth.ui.example.com/_oauth/sso"

    static func configure(_ configuration: inout Configuration) {
        configuration.cookieDomains = ["ui.example.com", "attached.example.com"]
        configuration.ssoBrokerCallbacks = [callback]
        configuration.ssoBrokerURL = brokerURL
        // The attached side's auth host: its callback's subrequest passes only there.
        configuration.authHost = Authority(parsing: attachedHost)
    }

    /// What the browser holds for each cluster's domain.
    struct Browser {
        var ui: [String: String] = [:]
        var attached: [String: String] = [:]

        static func merge(_ response: TestResponse, into jar: inout [String: String]) {
            for (name, value) in ForwardAuthHarness.cookies(from: response) {
                if value.isEmpty { jar.removeValue(forKey: name) } else { jar[name] = value }
            }
        }
    }

    /// A request Traefik routed straight to the Service (`<url-path>/sso`, the callback's POST).
    static func direct(
        _ harness: ForwardAuthHarness, _ method: HTTPRequest.Method, host: String, uri: String,
        cookies: [String: String], contentType: String? = nil, body: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [
            .init("X-Forwarded-Proto")!: "https", .init("X-Forwarded-Host")!: host, .accept: "text/html",
        ]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: "; ")
        }
        if let contentType { headers[.contentType] = contentType }
        return try await harness.client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// The hidden fields of the broker's form page.
    static func formFields(_ response: TestResponse) -> [String: String] {
        let html = String(buffer: response.body)
        var fields: [String: String] = [:]
        for input in html.components(separatedBy: "<input type=\"hidden\" ").dropFirst() {
            let parts = input.components(separatedBy: "\"")
            // name="…" value="…"
            if parts.count > 3 { fields[parts[1]] = parts[3].replacingOccurrences(of: "&amp;", with: "&") }
        }
        return fields
    }

    /// Where the page answering the callback's POST sends the browser (`Decision.navigate`): its meta refresh,
    /// which must agree with its link.
    static func destination(_ response: TestResponse) -> String? {
        guard response.status == .ok else { return nil }
        let html = String(buffer: response.body)
        guard let start = html.range(of: "content=\"0;url="), let end = html[start.upperBound...].firstIndex(of: "\"")
        else { return nil }
        let url = String(html[start.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&")
        #expect(html.contains("<a href=\"\(html[start.upperBound..<end])\">"))
        return url
    }

    /// Alice's token for `audience`, signed with the provider's key.
    static func token(_ harness: ForwardAuthHarness, audience: [String]) async throws -> String {
        let now = Date()
        return try await harness.provider.sign(
            TestClaims(
                iss: IssuerClaim(value: harness.provider.issuer), sub: SubjectClaim(value: "s"),
                aud: AudienceClaim(value: audience), exp: ExpirationClaim(value: now + 600),
                iat: IssuedAtClaim(value: now), email: "alice@example.com", email_verified: true))
    }

    static func formBody(_ fields: [(String, String)]) -> String {
        fields.map { "\(TestIdentityProvider.formEncoded($0.0))=\(TestIdentityProvider.formEncoded($0.1))" }
            .joined(separator: "&")
    }

    /// The attached check sends the browser to the broker; the broker logs it in at the provider (no UI session
    /// yet) and comes back to itself; returns the broker's form page and the browser.
    /// - Parameter stopAtUICallback: return the UI callback's answer instead of the form it leads to.
    static func brokeredForm(_ harness: ForwardAuthHarness, stopAtUICallback: Bool = false) async throws -> (
        TestResponse, Browser
    ) {
        var browser = Browser()
        let start = try await harness.check(host: attachedHost)
        #expect(start.status == .found)
        let toBroker = try requireValue(start.headers[.location])
        #expect(
            toBroker.hasPrefix(
                brokerURL + "?callback=https%3A%2F%2Fapp.attached.example.com%2F_oauth%2Fsso%2Fcallback&state="))
        let stateCookie = try requireValue(
            start.headers[values: .setCookie].first { $0.hasPrefix("_forward_auth_csrf.") })
        #expect(
            stateCookie.contains("SameSite=None") && stateCookie.contains("Secure") && stateCookie.contains("HttpOnly"))
        Browser.merge(start, into: &browser.attached)

        let brokerURI = String(toBroker.dropFirst("https://auth.ui.example.com".count))
        let login = try await direct(harness, .get, host: uiHost, uri: brokerURI, cookies: browser.ui)
        #expect(login.status == .found)
        let toProvider = try requireValue(login.headers[.location])
        #expect(toProvider.hasPrefix(harness.provider.issuer + "/auth?"))
        Browser.merge(login, into: &browser.ui)
        let back = try await harness.authorize(toProvider)
        #expect(back.host == uiHost)
        let uiCallback = try await harness.check(
            host: uiHost, uri: back.path + "?" + (back.percentEncodedQuery ?? ""), cookies: browser.ui)
        if stopAtUICallback { return (uiCallback, browser) }
        #expect(uiCallback.status == .found)
        #expect(uiCallback.headers[.location] == toBroker)
        Browser.merge(uiCallback, into: &browser.ui)

        let form = try await direct(harness, .get, host: uiHost, uri: brokerURI, cookies: browser.ui)
        return (form, browser)
    }

    @Test func oneProviderLoginSignsTheBrowserInToTheAttachedClusterThroughTheBroker() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            try await harness.waitUntilProviderReady()
            var (form, browser) = try await Self.brokeredForm(harness)
            #expect(form.status == .ok)
            #expect(form.headers[.cacheControl] == "no-store")
            #expect(form.headers[.init("Referrer-Policy")!] == "no-referrer")
            let csp = try requireValue(form.headers[.contentSecurityPolicy])
            #expect(csp.contains("form-action https://app.attached.example.com;"))
            #expect(csp.contains("script-src '\(BrokerForm.submitScriptHash)'"))
            #expect(csp.contains("frame-ancestors 'none'") && csp.hasPrefix("default-src 'none'"))
            let html = String(buffer: form.body)
            #expect(html.contains("action=\"\(Self.callback)\""))
            #expect(html.contains("<noscript><button type=\"submit\">"))
            let fields = Self.formFields(form)
            let token = try requireValue(fields["id_token"])
            #expect(token.split(separator: ".").count == 3)
            let state = try requireValue(fields["state"])

            // Traefik's subrequest for the callback: passed, with no identity.
            let passage = try await harness.check(
                host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached, method: "POST")
            #expect(passage.status == .ok, "\(String(buffer: passage.body))")
            #expect(passage.headers[.init("X-Forwarded-User")!] == nil)

            let body = Self.formBody([("state", state), ("id_token", token)])
            let post = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded", body: body)
            #expect(Self.destination(post) == "https://app.attached.example.com/page?q=1")
            let setCookies = post.headers[values: .setCookie]
            #expect(
                setCookies.contains { $0.hasPrefix("_forward_auth=") && $0.contains("Domain=attached.example.com") })
            // The state is used up in the browser.
            #expect(setCookies.contains { $0.hasPrefix("_forward_auth_csrf.") && $0.contains("Max-Age=0") })
            let spentCookies = browser.attached
            Browser.merge(post, into: &browser.attached)

            let check = try await harness.check(host: Self.attachedHost, cookies: browser.attached)
            #expect(check.status == .ok)
            #expect(check.headers[.init("X-Forwarded-User")!] == "alice@example.com")

            // The same form and the old cookie again: refused (this replica remembers the spent state).
            let replay = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: spentCookies,
                contentType: "application/x-www-form-urlencoded", body: body)
            #expect(replay.status == .unauthorized)
            #expect(!replay.headers[values: .setCookie].contains { $0.hasPrefix("_forward_auth=") })

            let metrics = try await harness.scrape()
            #expect(metrics.value("forward_auth_broker_total", ["result": "redirected"]) == 1)
            #expect(metrics.value("forward_auth_broker_total", ["result": "login_required"]) == 1)
            #expect(metrics.value("forward_auth_broker_total", ["result": "delivered"]) == 1)
            #expect(metrics.value("forward_auth_broker_total", ["result": "accepted"]) == 1)
            #expect(metrics.value("forward_auth_broker_total", ["result": "invalid_state"]) == 1)
        }
    }

    @Test func aCallbackNotListedGetsAPageAndNoToken() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            try await harness.waitUntilProviderReady()
            let (_, browser) = try await Self.brokeredForm(harness)
            for callback in [
                "https://evil.example.net/_oauth/sso/callback",
                "https://app.attached.example.com/_oauth/sso/callback?x=1",
                "https://user@app.attached.example.com/_oauth/sso/callback",
                "http://app.attached.example.com/_oauth/sso/callback",
                "https://app.attached.example.com/_oauth/sso/callback/..",
            ] {
                let uri =
                    "/_oauth/sso?"
                    + Self.formBody([("callback", callback), ("state", String(repeating: "a", count: 43))])
                let response = try await Self.direct(harness, .get, host: Self.uiHost, uri: uri, cookies: browser.ui)
                #expect(response.status == .badRequest, "\(callback)")
                #expect(!String(buffer: response.body).contains("id_token"), "\(callback)")
            }
            // A repeated field is refused, not resolved.
            let repeated =
                "/_oauth/sso?"
                + Self.formBody([
                    ("callback", Self.callback), ("state", String(repeating: "a", count: 43)),
                    ("callback", Self.callback),
                ])
            let response = try await Self.direct(harness, .get, host: Self.uiHost, uri: repeated, cookies: browser.ui)
            #expect(response.status == .badRequest)
            #expect(!String(buffer: response.body).contains("id_token"))
        }
    }

    @Test func aTokenForAnotherAudienceIsRefusedWithAWayToSignInDirectly() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            try await harness.waitUntilProviderReady()
            let (form, browser) = try await Self.brokeredForm(harness)
            let state = try requireValue(Self.formFields(form)["state"])
            let foreign = try await Self.token(harness, audience: ["another-client"])
            let post = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded",
                body: Self.formBody([("state", state), ("id_token", foreign)]))
            #expect(post.status == .unauthorized)
            let html = String(buffer: post.body)
            #expect(html.contains("&quot;aud&quot;"))
            #expect(html.contains("href=\"https://app.attached.example.com/page?q=1\""))
            let setCookies = post.headers[values: .setCookie]
            #expect(!setCookies.contains { $0.hasPrefix("_forward_auth=") })
            #expect(setCookies.contains { $0.hasPrefix("_forward_auth_direct=1") })
            // With that cookie, the next login goes to the provider itself.
            var jar = browser.attached
            Browser.merge(post, into: &jar)
            let next = try await harness.check(host: Self.attachedHost, cookies: jar)
            #expect(next.headers[.location]?.hasPrefix(harness.provider.issuer + "/auth?") == true)
        }
    }

    @Test func theBrokersOwnAudienceIsAcceptedOnlyWhenNamed() async throws {
        for named in [true, false] {
            try await ForwardAuthHarness.run(configure: {
                Self.configure(&$0)
                if named { $0.ssoBrokerAudience = "ui-client" }
            }) { harness in
                try await harness.waitUntilProviderReady()
                let (form, browser) = try await Self.brokeredForm(harness)
                let state = try requireValue(Self.formFields(form)["state"])
                let uiToken = try await Self.token(harness, audience: ["ui-client"])
                let post = try await Self.direct(
                    harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                    contentType: "application/x-www-form-urlencoded",
                    body: Self.formBody([("state", state), ("id_token", uiToken)]))
                #expect(post.status == (named ? .ok : .unauthorized), "sso-broker-audience named: \(named)")
                // Never on the Bearer path: trusted-audience keeps its meaning.
                let bearer = try await harness.check(
                    host: Self.attachedHost, accept: "application/json",
                    extra: [.authorization: "Bearer \(uiToken)"])
                #expect(bearer.status == .unauthorized)
            }
        }
    }

    @Test func aSessionTooLargeToKeepItsTokenSendsTheAttachedClusterToTheProvider() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            harness.provider.update { $0.groups = (0..<1000).map { "a-rather-long-group-name-number-\($0)" } }
            try await harness.waitUntilProviderReady()
            let (form, browser) = try await Self.brokeredForm(harness)
            #expect(form.status == .ok)
            let fields = Self.formFields(form)
            #expect(fields["id_token"] == nil)
            #expect(fields["error"] == "token_unavailable")
            let post = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded",
                body: Self.formBody([("state", try requireValue(fields["state"])), ("error", "token_unavailable")]))
            let location = try requireValue(Self.destination(post))
            #expect(location.hasPrefix(harness.provider.issuer + "/auth?"))
            #expect(location.contains("redirect_uri=https%3A%2F%2Fapp.attached.example.com%2F_oauth&"))
            let metrics = try await harness.scrape()
            #expect(metrics.value("forward_auth_broker_total", ["result": "token_unavailable"]) == 1)
            #expect(metrics.value("forward_auth_broker_total", ["result": "fallback"]) == 1)
        }
    }

    @Test func aUserTheBrokerRefusesIsOfferedTheAttachedClustersOwnSignIn() async throws {
        try await ForwardAuthHarness.run(configure: {
            Self.configure(&$0)
            $0.whitelist = ["bob@example.com"]
        }) { harness in
            try await harness.waitUntilProviderReady()
            // The UI's callback refuses alice: its page is a form (not posted by itself) telling the attached
            // cluster to sign her in at the provider itself.
            let (refusal, browser) = try await Self.brokeredForm(harness, stopAtUICallback: true)
            #expect(refusal.status == .forbidden)
            let html = String(buffer: refusal.body)
            #expect(html.contains("alice@example.com") && !html.contains("<script>"))
            #expect(html.contains("<button type=\"submit\">Sign in directly</button>"))
            let fields = Self.formFields(refusal)
            #expect(fields["error"] == "access_denied")
            #expect(fields["id_token"] == nil)
            #expect(!refusal.headers[values: .setCookie].contains { $0.hasPrefix("_forward_auth=") })
            let post = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded",
                body: Self.formBody([("state", try requireValue(fields["state"])), ("error", "access_denied")]))
            #expect(Self.destination(post)?.hasPrefix(harness.provider.issuer + "/auth?") == true)
        }
    }

    /// With refresh on, attached clusters take only a recent token, and the broker renews an older one at the
    /// provider before it hands it on.
    @Test func withRefreshTheBrokerRenewsAnOldTokenFirstAndAnOldOneIsRefused() async throws {
        let clock = RefreshIntegrationTests.ShiftedClock()
        try await ForwardAuthHarness.run(
            configure: {
                Self.configure(&$0)
                $0.refreshSessions = true
                $0.refreshInterval = 300
                $0.ssoBrokerMaxAge = 60
            }, clock: clock.read
        ) { harness in
            try await harness.waitUntilProviderReady()
            var (form, browser) = try await Self.brokeredForm(harness)
            let old = try requireValue(Self.formFields(form)["id_token"])

            clock.advance(90)
            harness.provider.update { $0.clockOffset = 90 }
            // The old token, posted now, is refused over its iat.
            let late = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded",
                body: Self.formBody([("state", try requireValue(Self.formFields(form)["state"])), ("id_token", old)]))
            #expect(late.status == .unauthorized)
            #expect(String(buffer: late.body).contains("&quot;iat&quot;"))

            // The broker renews first: /sso -> /refresh -> /sso, then a fresh token.
            let brokerURI =
                "/_oauth/sso?"
                + Self.formBody([
                    ("callback", Self.callback), ("state", try requireValue(Self.formFields(form)["state"])),
                ])
            let first = try await Self.direct(harness, .get, host: Self.uiHost, uri: brokerURI, cookies: browser.ui)
            #expect(first.status == .found)
            let refreshURL = try requireValue(first.headers[.location])
            #expect(refreshURL.hasPrefix("https://auth.ui.example.com/_oauth/refresh?rd="))
            let refreshed = try await harness.check(
                host: Self.uiHost, uri: String(refreshURL.dropFirst("https://auth.ui.example.com".count)),
                cookies: browser.ui)
            #expect(refreshed.headers[.location] == "https://auth.ui.example.com" + brokerURI)
            Browser.merge(refreshed, into: &browser.ui)
            form = try await Self.direct(harness, .get, host: Self.uiHost, uri: brokerURI, cookies: browser.ui)
            let fresh = try requireValue(Self.formFields(form)["id_token"])
            #expect(fresh != old)
            #expect(harness.provider.state.withLock { $0.refreshRequests } == 1)
        }
    }

    @Test func malformedCallbacksAreRefusedBeforeTheStateIsRead() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            try await harness.waitUntilProviderReady()
            let (form, browser) = try await Self.brokeredForm(harness)
            let fields = Self.formFields(form)
            let state = try requireValue(fields["state"])
            let token = try requireValue(fields["id_token"])
            let good = Self.formBody([("state", state), ("id_token", token)])
            let cases: [(String, HTTPRequest.Method, String?, String)] = [
                ("GET", .get, nil, ""),
                ("JSON", .post, "application/json", good),
                ("duplicate", .post, "application/x-www-form-urlencoded", good + "&state=" + state),
                (
                    "over 64 KiB", .post, "application/x-www-form-urlencoded",
                    good + "&pad=" + String(repeating: "x", count: 65_536)
                ),
                ("broken escape", .post, "application/x-www-form-urlencoded", good + "&x=%zz"),
            ]
            for (name, method, contentType, body) in cases {
                let response = try await Self.direct(
                    harness, method, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                    contentType: contentType, body: body.isEmpty ? nil : body)
                #expect(response.status == .badRequest, "\(name)")
                #expect(!response.headers[values: .setCookie].contains { $0.hasPrefix("_forward_auth=") }, "\(name)")
            }
            // None of those used the state: the good form still signs in.
            let post = try await Self.direct(
                harness, .post, host: Self.attachedHost, uri: "/_oauth/sso/callback", cookies: browser.attached,
                contentType: "application/x-www-form-urlencoded; charset=utf-8", body: good)
            #expect(Self.destination(post) == "https://app.attached.example.com/page?q=1")
        }
    }

    /// Only the auth host's POST to the callback path passes unchecked: anywhere else that path is an app's, and
    /// passing it would hand the app anonymous requests (and a lured browser's token).
    @Test func theCallbackPathPassesOnlyForAPOSTOnTheAuthHost() async throws {
        try await ForwardAuthHarness.run(configure: Self.configure) { harness in
            try await harness.waitUntilProviderReady()
            for (host, method) in [
                ("shop.attached.example.com", "POST"), (Self.attachedHost, "GET"), (Self.attachedHost, "PUT"),
                ("shop.attached.example.com", "GET"),
            ] {
                let answer = try await harness.check(host: host, uri: "/_oauth/sso/callback?x=1", method: method)
                #expect(answer.status == .found, "\(method) on \(host)")
                #expect(answer.headers[.location]?.hasPrefix(Self.brokerURL) == true, "\(method) on \(host)")
            }
            let passage = try await harness.check(
                host: Self.attachedHost, uri: "/_oauth/sso/callback", method: "POST")
            #expect(passage.status == .ok)
        }
    }

    @Test func withoutTheBrokerOptionsItsPathsAreOrdinaryChecks() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let sso = try await Self.direct(
                harness, .get, host: "app.example.com", uri: "/_oauth/sso?callback=x&state=y", cookies: [:])
            #expect(sso.status == .found)
            #expect(sso.headers[.location]?.hasPrefix(harness.provider.issuer + "/auth?") == true)
            let passage = try await harness.check(uri: "/_oauth/sso/callback")
            #expect(passage.status == .found)
        }
    }
}
