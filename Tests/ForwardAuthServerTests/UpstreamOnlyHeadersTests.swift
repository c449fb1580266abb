import ForwardAuth
import Foundation
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration

/// The chain an outside review found (issue 14, second link): a signed-in user who asked for `<url-path>/auth`
/// or any other path under `url-path` directly got the service-account token in the answer. Upstream-only
/// headers go only to a proxy's auth subrequest: request-line path exactly `/` with `X-Forwarded-Uri`.
///
/// The one exception (issue 19): the SSO broker's `<url-path>/sso` answers a browser that has a session, straight
/// on the request line, with a page whose form carries the session's ID token: only in that form's body, only to a
/// listed callback, never in a header. The instance here is such a broker, so every spelling of that path is tried.
@Suite("Upstream-only headers over raw HTTP")
struct UpstreamOnlyHeadersTests {
    static let serviceAccountToken = "sa-token-\(UUID().uuidString)"
    static let upstreamOnly = ["authorization", "impersonate-user", "impersonate-group", "x-id-token", "x-groups"]

    /// Request targets that are not `/`: beside and under `url-path`, and the spellings a normaliser might fold.
    static let targets = [
        "/_oauth/auth", "/_oauth/auth/", "/_oauth/AUTH", "/_oauthx", "/_oauth/anything", "/_oauth", "/_oauth/logout",
        "/_oauth/start", "//_oauth/auth", "/_oauth%2Fauth", "/_oauth/%61uth", "/_oauth;x/auth", "/_oauth/auth;x",
        "/_oauth/./auth", "/_oauth/../_oauth/auth", "/_oauth/auth?x=1", "//", "/%2F", "/;", "/.", "/./", "/x/..",
        "/index.html", "/%2e", "http://app.example.com/", "/page", brokerException, "/_oauth/sso",
        "/_oauth/SSO?\(brokerQuery)", "/_oauth//sso?\(brokerQuery)", "/_oauth/sso/?\(brokerQuery)",
        "/_oauth/%73so?\(brokerQuery)", "/_oauth/sso?\(brokerQuery)&callback=x",
        "/_oauth/sso?callback=https%3A%2F%2Fevil.example.net%2F_oauth%2Fsso%2Fcallback&state=\(String(repeating: "A", count: 43))",
        "/_oauth/sso/callback?\(brokerQuery)",
    ]

    /// The broker's only callback here, and the one request that is answered with the token in a form.
    static let listedCallback = "https://app.attached.example.net/_oauth/sso/callback"
    static let brokerQuery =
        "callback=https%3A%2F%2Fapp.attached.example.net%2F_oauth%2Fsso%2Fcallback&state=\(String(repeating: "A", count: 43))"
    static let brokerException = "/_oauth/sso?\(brokerQuery)"

    /// What a client may send along: nothing forwarded, the whole Traefik set, pieces of it.
    static let forwardedSets = [
        "",
        "X-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /page\r\n",
        "X-Forwarded-Uri: /\r\n",
        "X-Forwarded-Host: app.example.com\r\n",
        "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Prefix: /_oauth\r\nX-Forwarded-Uri: /auth\r\n",
    ]

    /// The two lanes, three ways in: the fast lane (plain); Hummingbird after NIO's decoder, for a head outside the
    /// fast lane's subset (obs-text) and for a body.
    static let lanes: [(name: String, extra: String, body: String?)] = [
        ("fast lane", "", nil), ("decoder", "User-Agent: caf\u{E9}\r\n", nil), ("hummingbird", "", "{}"),
    ]

    static func request(target: String, forwarded: String, cookie: String, extra: String, body: String?) -> String {
        var request =
            "GET \(target) HTTP/1.1\r\nHost: forward-auth\r\nAccept: text/html\r\nCookie: \(cookie)\r\n" + forwarded
            + extra
        if let body { request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        return request
    }

    static func signedIn(_ body: @Sendable @escaping (_ cookie: String, _ port: Int) async throws -> Void)
        async throws
    {
        try await ImpersonationIntegrationTests.withImpersonation(
            token: serviceAccountToken,
            configure: {
                $0.claimHeaders = [.init(header: "X-Groups", claim: "groups")]
                $0.forwardTokenHeaderName = "X-Id-Token"
                $0.ssoBrokerCallbacks = [listedCallback]
            }
        ) { harness in
            let (jar, _) = try await harness.login()
            try await body(
                jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
                try requireValue(harness.client.port, "port"))
        }
    }

    /// The control: the auth subrequest does carry them, on every lane, so the assertions below can fail.
    @Test func theAuthSubrequestCarriesThem() async throws {
        try await Self.signedIn { cookie, port in
            for lane in Self.lanes {
                let answer = try #require(
                    try await RawHTTP.exchange(
                        port: port,
                        [
                            Self.request(
                                target: "/", forwarded: Self.forwardedSets[1], cookie: cookie, extra: lane.extra,
                                body: lane.body)
                        ]
                    ).first, "\(lane.name)")
                #expect(answer.status == 200, "\(lane.name)")
                #expect(answer.values("Authorization") == ["Bearer \(Self.serviceAccountToken)"], "\(lane.name)")
                #expect(answer.values("Impersonate-User") == ["alice@example.com"], "\(lane.name)")
                #expect(answer.values("X-Id-Token").first?.hasPrefix("Bearer ey") == true, "\(lane.name)")
                #expect(answer.values("X-Groups") == ["devs,ops"], "\(lane.name)")
            }
        }
    }

    @Test func noOtherRequestEverCarriesThem() async throws {
        try await Self.signedIn { cookie, port in
            // The ID token, to look for it in every answer below.
            let control = try await RawHTTP.exchange(
                port: port,
                [Self.request(target: "/", forwarded: Self.forwardedSets[1], cookie: cookie, extra: "", body: nil)])
            let idToken = try #require(control.first?.values("X-Id-Token").first).dropFirst("Bearer ".count)
            var answered = 0
            var delivered = 0
            for target in Self.targets {
                for forwarded in Self.forwardedSets {
                    for lane in Self.lanes {
                        let what =
                            "\(lane.name) \(target) [\(forwarded.split(separator: "\r\n").joined(separator: ", "))]"
                        let responses = try await RawHTTP.exchange(
                            port: port,
                            [
                                Self.request(
                                    target: target, forwarded: forwarded, cookie: cookie, extra: lane.extra,
                                    body: lane.body)
                            ])
                        guard let answer = responses.first else { continue }  // refused and closed: nothing leaked
                        answered += 1
                        let names = answer.headers.map { $0.name.lowercased() }
                        for name in Self.upstreamOnly { #expect(!names.contains(name), "\(what): \(name)") }
                        let headerText = answer.headers.map { "\($0.name): \($0.value)" }.joined()
                        #expect(!(headerText + answer.body).contains(Self.serviceAccountToken), "\(what)")
                        #expect(!headerText.contains(idToken), "\(what)")
                        if target == Self.brokerException, !forwarded.contains("X-Forwarded-Uri") {
                            // The exception: in the form's body, posted only to the listed callback.
                            #expect(answer.body.contains("name=\"id_token\" value=\"\(idToken)\""), "\(what)")
                            #expect(answer.body.contains("action=\"\(Self.listedCallback)\""), "\(what)")
                            #expect(
                                answer.values("Content-Security-Policy").first?.contains(
                                    "form-action https://app.attached.example.net;") == true, "\(what)")
                            delivered += 1
                        } else {
                            #expect(!answer.body.contains(idToken), "\(what)")
                        }
                    }
                }
            }
            // Most spellings are answered (200, 302, 400, 401): the loop above judged real answers.
            #expect(answered > Self.targets.count * Self.forwardedSets.count * 2)
            // The exception was reached on every lane, with and without X-Forwarded-Host.
            #expect(delivered == Self.lanes.count * 2)
        }
    }

    /// nginx's check calls `/` like Traefik and asks for a 401 instead of a redirect.
    @Test func nginxAsksForA401AtTheRoot() async throws {
        try await Self.signedIn { cookie, port in
            let noSession = Self.request(
                target: "/", forwarded: Self.forwardedSets[1] + "X-Forward-Auth-Redirect: off\r\n", cookie: "x=1",
                extra: "", body: nil)
            let browser = Self.request(
                target: "/", forwarded: Self.forwardedSets[1], cookie: "x=1", extra: "", body: nil)
            let signedIn = Self.request(
                target: "/", forwarded: Self.forwardedSets[1] + "X-Forward-Auth-Redirect: OFF\r\n", cookie: cookie,
                extra: "", body: nil)
            let answers = try await RawHTTP.exchange(port: port, [noSession, browser, signedIn])
            #expect(answers.map(\.status) == [401, 302, 200])
            #expect(answers.last?.values("Authorization") == ["Bearer \(Self.serviceAccountToken)"])
        }
    }
}
