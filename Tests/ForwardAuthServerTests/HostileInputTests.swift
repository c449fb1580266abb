import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// What an attacker controls — return URLs, forwarded headers, cookies, replayed callbacks — through the whole
/// server: never a redirect off our domains, never a crash, always a clear 4xx.
@Suite("Hostile input over HTTP")
struct HostileInputTests {
    /// Where the browser lands after a login started by `/_oauth/start?rd=<rd>` on app.example.com.
    func landing(after rd: String, _ harness: ForwardAuthHarness) async throws -> String? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = try requireValue(rd.addingPercentEncoding(withAllowedCharacters: allowed))
        // As nginx's `error_page 401` sends it: straight to us, with the forwarded headers of the original request.
        let target = "/_oauth/start?rd=\(encoded)"
        let start = try await harness.client.execute(
            uri: target, method: .get,
            headers: [
                HTTPField.Name("X-Forwarded-Proto")!: "https", HTTPField.Name("X-Forwarded-Host")!: "app.example.com",
                HTTPField.Name("X-Forwarded-Uri")!: target, .accept: "text/html",
            ])
        guard start.status == .found, let location = start.headers[.location] else {
            throw HarnessError("login did not start: \(start.status)")
        }
        let back = try await harness.authorize(location)
        let callback = try await harness.check(
            uri: back.path + "?" + (back.percentEncodedQuery ?? ""), cookies: ForwardAuthHarness.cookies(from: start))
        #expect(callback.status == .found, "\(callback.status) \(String(buffer: callback.body))")
        return callback.headers[.location]
    }

    /// The open-redirect matrix: every trick that makes a URL look like ours to one parser and like evil.com to
    /// a browser ends on the start host's root instead.
    static let hostileReturnURLs = [
        "//evil.com/x", "/\\evil.com", "\\\\evil.com", "https:evil.com", "https:/evil.com", "https:\\\\evil.com",
        "https://evil.com", "https://app.example.com@evil.com/", "https://app.example.com:443@evil.com",
        "https://evil.com\\@app.example.com", "https://evil.com#@app.example.com", "https://evil.com?@app.example.com",
        "https://app.example.com%2F@evil.com", "https://%65vil.com/", "https://app.example.com%2eevil.com/",
        "https://app.example.com.evil.com/", "https://evilexample.com/", "https://аpp.example.com/",
        "https://app.example.com\u{3002}evil.com/", "javascript:alert(1)", "JaVaScRiPt://app.example.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>", "https://app.example.com:99999/", "https://app.example.com:-1/",
        " https://evil.com", "https://evil.com\r\n.app.example.com", "ftp://app.example.com/", "",
    ]

    /// One server for the whole matrix: each case is a full login (start, provider, callback).
    @Test func loginNeverReturnsOffOurDomains() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            for returnURL in Self.hostileReturnURLs {
                let landed = try await landing(after: returnURL, harness)
                #expect(landed == "https://app.example.com/", "return URL \(returnURL.debugDescription)")
            }
            for returnURL in ["https://other.example.com/deep/path?q=1", "https://app.example.com:8443/x"] {
                let landed = try await landing(after: returnURL, harness)
                #expect(landed == returnURL, "under the cookie domain, so followed")
            }
        }
    }

    @Test func aCallbackReplayedWithItsCookiesMintsNoSecondSession() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let start = try await harness.check()
            let back = try await harness.authorize(try requireValue(start.headers[.location]))
            let uri = back.path + "?" + (back.percentEncodedQuery ?? "")
            let cookies = ForwardAuthHarness.cookies(from: start)
            let first = try await harness.check(uri: uri, cookies: cookies)
            #expect(first.status == .found)
            // The same request again, as someone who captured it would send it: the provider refuses the used
            // code, so no session is set.
            let replay = try await harness.check(uri: uri, cookies: cookies)
            #expect(replay.status != .found)
            #expect(ForwardAuthHarness.cookies(from: replay)["_forward_auth"] == nil)
        }
    }

    @Test func cookiesOfAnotherInstanceAreNotSessions() async throws {
        // Another instance: another secret under our cookie name, and our secret under another cookie name.
        var otherSecret = Configuration.testing(secret: Secret("another-secret-0123456789abcdef-xyz"))
        otherSecret.cookieName = "_forward_auth"
        var otherName = Configuration.testing()
        otherName.cookieName = "_other_auth"
        let random = SystemRandomSource()
        let session = Session(
            email: "mallory@example.com", name: "M", groups: ["admins"], issuedAt: Int64(Date().timeIntervalSince1970),
            expiresAt: Int64(Date().timeIntervalSince1970) + 3600, id: random.bytes(16))
        var jars: [[String: String]] = []
        for configuration in [otherSecret, otherName] {
            let cookies = Gatekeeper(configuration).sessions.issue(
                session, host: "app.example.com", existing: try #require(CookieHeader([])), random: random)
            jars.append(Dictionary(cookies.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
        let foreign = jars
        try await ForwardAuthHarness.run { harness in
            for jar in foreign {
                let api = try await harness.check(accept: "application/json", cookies: jar)
                #expect(api.status == .unauthorized)
            }
        }
    }

    @Test func conflictingForwardedHostsAre400() async throws {
        try await ForwardAuthHarness.run { harness in
            let response = try await harness.check(
                host: "public.example.com", extra: [HTTPField.Name("X-Forwarded-Host")!: "admin.example.com"])
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("X-Forwarded-Host is given several times"))
        }
    }

    @Test func oversizeInputIsA431NotACrash() async throws {
        try await ForwardAuthHarness.run { harness in
            let longURI = try await harness.check(uri: "/" + String(repeating: "a", count: 9000))
            #expect(longURI.status == .requestHeaderFieldsTooLarge)
            let hugeCookie = try await harness.check(
                accept: "application/json", cookies: ["_forward_auth": String(repeating: "x", count: 70_000)])
            #expect(hugeCookie.status == .requestHeaderFieldsTooLarge)
            let manyCookies = try await harness.check(
                accept: "application/json",
                cookies: Dictionary(
                    uniqueKeysWithValues: (0..<2000).map { ("c\($0)", String(repeating: "v", count: 30)) }))
            #expect(manyCookies.status == .requestHeaderFieldsTooLarge)
            // And the server still answers.
            let health = try await harness.client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }
}
