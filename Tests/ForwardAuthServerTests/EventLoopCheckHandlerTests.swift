import ForwardAuth
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ForwardAuthServer

/// `EventLoopCheckHandler` on an embedded channel: which requests it answers itself, which it hands on to
/// Hummingbird, and that handing on keeps pipelined answers in order.
@Suite struct EventLoopCheckHandlerTests {
    let endpoints: Endpoints
    let now = Int64(Date().timeIntervalSince1970)

    init() {
        endpoints = .withLoadedProvider()
    }

    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(EventLoopCheckHandler(endpoints: endpoints))
        // Connected, so that a close shows as `isActive` turning false.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4181)).wait()
        #expect(channel.isActive)
        return channel
    }

    func check(
        uri: String = "/page", accept: String = "application/json", cookie: String? = nil,
        version: HTTPVersion = .http1_1, extra: [(String, String)] = []
    ) -> HTTPRequestHead {
        var headers = HTTPHeaders([
            ("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "app.example.com"),
            ("X-Forwarded-Uri", uri), ("Accept", accept),
        ])
        if let cookie { headers.add(name: "Cookie", value: cookie) }
        headers.add(contentsOf: extra)
        return HTTPRequestHead(version: version, method: .GET, uri: "/", headers: headers)
    }

    /// Sends a whole bodiless request.
    func send(_ head: HTTPRequestHead, to channel: EmbeddedChannel) throws {
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    /// The answer written here: its head and body; nil if nothing was written.
    func answer(from channel: EmbeddedChannel) throws -> (head: HTTPResponseHead, body: String)? {
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return nil }
        var body = ""
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .body(.byteBuffer(let buffer)): body += String(buffer: buffer)
            case .end: return (head, body)
            default: Issue.record("unexpected part \(part)")
            }
        }
        Issue.record("the answer has no end")
        return (head, body)
    }

    /// The request parts that went on to the next handler (Hummingbird).
    func handedOn(_ channel: EmbeddedChannel) throws -> [HTTPServerRequestPart] {
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        return parts
    }

    @Test func aCheckWithoutSessionIsAnsweredHere() throws {
        let channel = try channel()
        try send(check(), to: channel)
        let (head, body) = try #require(try answer(from: channel))
        #expect(head.status == .unauthorized)
        #expect(head.headers["WWW-Authenticate"] == ["Bearer"])
        #expect(head.headers["Content-Type"] == ["application/json"])
        #expect(head.headers["Content-Length"] == ["\(body.utf8.count)"])
        #expect(body.contains(#""status":401"#))
        #expect(try handedOn(channel).isEmpty)
        let date = try #require(head.headers.first(name: "Date"))
        #expect(date.hasSuffix(" GMT") && date.count == 29)
    }

    @Test func aValidSessionIsAllowedHereWithIdentityHeaders() throws {
        let session = Session(
            email: "alice@example.com", name: "Alice", groups: ["ops"], issuedAt: now - 10, expiresAt: now + 3600,
            id: Array(repeating: 7, count: 16))
        let cookies = endpoints.engine.gatekeeper.sessions.issue(
            session, host: "app.example.com", existing: CookieList([]), random: SystemRandomSource())
        let cookie = cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
        let channel = try channel()
        try send(check(cookie: cookie), to: channel)
        let (head, body) = try #require(try answer(from: channel))
        #expect(head.status == .ok)
        #expect(head.headers["X-Forwarded-User"] == ["alice@example.com"])
        #expect(head.headers["Content-Length"] == ["0"])
        #expect(body.isEmpty)
        #expect(try handedOn(channel).isEmpty)
    }

    @Test func aBrowserIsSentToTheProviderFromHere() throws {
        let channel = try channel()
        try send(check(accept: "text/html"), to: channel)
        let (head, _) = try #require(try answer(from: channel))
        #expect(head.status == .found)
        let location = try #require(head.headers.first(name: "Location"))
        #expect(location.hasPrefix("https://dex.example.com/dex/auth?"))
        #expect(head.headers["Set-Cookie"].contains { $0.hasPrefix("_forward_auth_csrf.") })
    }

    @Test(arguments: [
        ("a probe (not forwarded)", HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")),
        ("the callback", Self.forwarded(uri: "/_oauth?code=c&state=s")),
        ("logout", Self.forwarded(uri: "/_oauth/logout")),
        ("a Bearer token", Self.forwarded(uri: "/", extra: [("Authorization", "Bearer a.b.c")])),
        (
            "HEAD",
            HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/", headers: Self.forwarded(uri: "/").headers)
        ),
        ("a body", Self.forwarded(uri: "/", extra: [("Content-Length", "2")])),
        ("a chunked body", Self.forwarded(uri: "/", extra: [("Transfer-Encoding", "chunked")])),
        ("an upgrade", Self.forwarded(uri: "/", extra: [("Connection", "Upgrade"), ("Upgrade", "websocket")])),
    ])
    func handsOn(_ what: String, head: HTTPRequestHead) throws {
        let channel = try channel()
        try send(head, to: channel)
        #expect(try answer(from: channel) == nil, "\(what) was answered here")
        let parts = try handedOn(channel)
        #expect(parts.count == 2, "\(what): \(parts)")
    }

    @Test func pipelinedChecksWaitForAHandedOnAnswer() throws {
        let channel = try channel()
        // The callback goes to Hummingbird; a check pipelined behind it must not overtake its answer.
        try send(Self.forwarded(uri: "/_oauth?code=c&state=s"), to: channel)
        try send(check(), to: channel)
        #expect(try answer(from: channel) == nil)
        #expect(try handedOn(channel).count == 4)
        // Hummingbird answers the callback; the check is still its to answer (it was handed on too).
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .badRequest)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        try channel.writeOutbound(
            HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .unauthorized)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try answer(from: channel)?.head.status == .badRequest)
        #expect(try answer(from: channel)?.head.status == .unauthorized)
        // Both answered: the next check is answered here again.
        try send(check(), to: channel)
        #expect(try answer(from: channel)?.head.status == .unauthorized)
        #expect(try handedOn(channel).isEmpty)
    }

    @Test func http10WithoutKeepAliveIsClosedAfterTheAnswer() throws {
        let channel = try channel()
        try send(check(version: .http1_0), to: channel)
        let (head, _) = try #require(try answer(from: channel))
        #expect(head.version == .http1_0)
        #expect(head.headers["Connection"] == ["close"])
        #expect(!channel.isActive)
    }

    @Test func connectionCloseIsHonoured() throws {
        let channel = try channel()
        try send(check(extra: [("Connection", "close")]), to: channel)
        #expect(try answer(from: channel)?.head.headers["Connection"] == ["close"])
        #expect(!channel.isActive)
    }

    @Test func http10KeepAliveIsConfirmed() throws {
        let channel = try channel()
        try send(check(version: .http1_0, extra: [("Connection", "keep-alive")]), to: channel)
        #expect(try answer(from: channel)?.head.headers["Connection"] == ["keep-alive"])
        #expect(channel.isActive)
    }

    @Test func malformedForwardedHeadersAreA400Here() throws {
        let channel = try channel()
        try send(check(extra: [("X-Forwarded-Proto", "gopher")]), to: channel)
        #expect(try answer(from: channel)?.head.status == .badRequest)
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateCache.format(1_795_000_000) == "Wed, 18 Nov 2026 11:06:40 GMT")
    }

    static func forwarded(uri: String, extra: [(String, String)] = []) -> HTTPRequestHead {
        var headers = HTTPHeaders([
            ("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "app.example.com"),
            ("X-Forwarded-Uri", uri), ("Accept", "text/html"),
        ])
        headers.add(contentsOf: extra)
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)
    }
}

extension Endpoints {
    /// `Configuration.testing()` with a provider whose discovery is loaded.
    /// - Parameter knownBearer: a Bearer token the provider verified before, and whose it is.
    static func withLoadedProvider(knownBearer: (token: String, identity: Identity)? = nil) -> Endpoints {
        let configuration = Configuration.testing()
        let gatekeeper = Gatekeeper(configuration)
        let logger = Logger(label: "test")
        return Endpoints(
            engine: DecisionEngine(
                loginFlow: LoginFlow(
                    configuration, gatekeeper: gatekeeper, provider: LoadedProvider(knownBearer: knownBearer)),
                random: SystemRandomSource(), logger: logger),
            clock: { Int64(Date().timeIntervalSince1970) }, logger: logger, metrics: ForwardAuthMetrics())
    }
}

/// A provider whose discovery is loaded: login starts need no task.
private struct LoadedProvider: IdentityProviderClient {
    let knownBearer: (token: String, identity: Identity)?

    func previouslyVerifiedBearerToken(_ idToken: String, now: Int64) -> Identity? {
        knownBearer.flatMap { $0.token == idToken ? $0.identity : nil }
    }

    func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String? {
        "https://dex.example.com/dex/auth?state=\(state)"
    }

    func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        throw LoginError(.providerUnavailable, "not in this test")
    }

    func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.invalidToken, "not in this test")
    }

    func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.invalidToken, "not in this test")
    }

    func endSessionEndpoint() async -> String? { nil }
}
