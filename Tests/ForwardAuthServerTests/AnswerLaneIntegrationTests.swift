import Foundation
import HummingbirdTesting
import Testing

/// The two answer lanes in the running server: the fast lane's answers in order with requests Hummingbird
/// answers, and the same answer whichever lane writes it.
@Suite struct AnswerLaneIntegrationTests {
    static func check(
        cookie: String? = nil, accept: String = "application/json", uri: String = "/page", body: String? = nil,
        extra: String = ""
    )
        -> String
    {
        var request =
            "GET / HTTP/1.1\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: \(uri)\r\nAccept: \(accept)\r\n" + extra
        if let cookie { request += "Cookie: \(cookie)\r\n" }
        // A body makes the fast lane hand the check (and the rest of the connection) over to Hummingbird.
        if let body { request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        return request
    }

    /// Runs the server and the provider, logs in, and hands `body` the session's `Cookie` value and the port.
    static func signedIn(_ body: @Sendable @escaping (_ cookie: String, _ port: Int) async throws -> Void)
        async throws
    {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let (jar, _) = try await harness.login()
            try await body(
                jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
                try requireValue(harness.client.port, "port"))
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await Self.signedIn { cookie, port in
            // The callback (a task in Hummingbird) first; checks the fast lane would answer behind it.
            let responses = try await RawHTTP.exchange(
                port: port,
                [
                    Self.check(accept: "text/html", uri: "/_oauth?state=nothing"), Self.check(cookie: cookie),
                    Self.check(), Self.check(cookie: cookie, body: "{}"), Self.check(cookie: cookie),
                ])
            #expect(responses.map(\.status) == [400, 200, 401, 200, 200])
            #expect(responses[0].body.contains("Incomplete sign-in"))
            #expect(responses[1].values("X-Forwarded-User").count == 1)
            #expect(responses[2].values("WWW-Authenticate") == ["Bearer"])
        }
    }

    /// A method NIO's decoder refuses is not answered by the fast lane, and a check pipelined behind it never
    /// overtakes its 400 (issue 15: `FOO` was answered 200 from the bytes, and a check behind it came first).
    @Test(arguments: ["FOO", "get", "PROPFIND2"])
    func aMethodTheDecoderRefusesGetsItsAnswerFirst(method: String) async throws {
        try await Self.signedIn { cookie, port in
            let refused = "\(method)" + Self.check(cookie: cookie).dropFirst(3)
            let responses = try await RawHTTP.exchange(port: port, [refused, Self.check(cookie: cookie)])
            #expect(responses.first?.status == 400, "\(method): \(responses.map(\.status))")
        }
    }

    /// Repeated `X-Forwarded-*` fields are read alike on every reader: equal values pass, different ones are 400.
    @Test func repeatedForwardedHeadersAreJudgedAlikeOnEveryReader() async throws {
        try await Self.signedIn { cookie, port in
            for (extra, expected) in [
                ("X-Forwarded-Uri: /page\r\n", 200), ("X-Forwarded-Uri: /other\r\nX-Forwarded-Uri: /page\r\n", 400),
            ] {
                let responses = try await RawHTTP.exchange(
                    port: port,
                    [
                        Self.check(cookie: cookie, extra: extra),
                        Self.check(cookie: cookie, extra: extra + "User-Agent: caf\u{E9}\r\n"),
                        Self.check(cookie: cookie, body: "{}", extra: extra),
                    ])
                #expect(responses.map(\.status) == [expected, expected, expected], "\(extra)")
            }
        }
    }

    @Test func everyWriterGivesTheSameAnswer() async throws {
        try await Self.signedIn { cookie, port in
            for (what, cookie, accept) in [
                ("a session", cookie, "text/html"), ("no session, an API client", nil, "application/json"),
                ("no session, XML", nil, "application/xml"), ("a forged cookie", "_forward_auth=v1.AAAA", "*/*"),
            ] {
                // The fast lane (bytes), then Hummingbird: a value with obs-text is outside the fast lane's subset
                // (the connection stays with the decoder), and so is a body.
                let responses = try await RawHTTP.exchange(
                    port: port,
                    [
                        Self.check(cookie: cookie, accept: accept),
                        Self.check(cookie: cookie, accept: accept, extra: "User-Agent: caf\u{E9}\r\n"),
                        Self.check(cookie: cookie, accept: accept, body: "{}"),
                    ])
                try #require(responses.count == 3, "\(what)")
                let fastLane = responses[0]
                for other in responses.dropFirst() {
                    #expect(fastLane.status == other.status, "\(what)")
                    #expect(fastLane.body == other.body, "\(what)")
                    #expect(Self.comparable(fastLane) == Self.comparable(other), "\(what)")
                }
            }
        }
    }

    /// Header names and values, lower-cased names, sorted; without `Date` (a second may pass) and the
    /// login-state cookie and Location (random per login).
    static func comparable(_ response: RawHTTP.Response) -> [String] {
        response.headers.compactMap { header in
            let name = header.name.lowercased()
            if name == "date" { return nil }
            if name == "location" || name == "set-cookie" { return name }
            return "\(name): \(header.value)"
        }.sorted()
    }
}
