import ForwardAuth
import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// `CheckFastPathHandler` in the pipeline it runs in (before NIO's HTTP/1 codec, `HandedOnRequests` after the
/// decoder), fed raw bytes: what it answers itself, what reaches Hummingbird's place, and in what order.
@Suite struct CheckFastPathHandlerTests {
    let endpoints = Endpoints.withLoadedProvider()

    func channel() throws -> EmbeddedChannel {
        try .withLanes(endpoints)
    }

    static func check(
        accept: String = "application/json", cookie: String? = nil, uri: String = "/page", version: String = "1.1",
        extra: String = ""
    ) -> String {
        "GET / HTTP/\(version)\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: \(uri)\r\nAccept: \(accept)\r\n"
            + (cookie.map { "Cookie: \($0)\r\n" } ?? "") + extra + "\r\n"
    }

    func send(_ text: String, to channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        channel.pipeline.fireChannelReadComplete()
    }

    /// Everything written to the socket so far, parsed as responses.
    func answers(from channel: EmbeddedChannel) throws -> [RawHTTP.Response] {
        var bytes: [UInt8] = []
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else {
                Issue.record("a file region was written")
                continue
            }
            bytes += buffer.readableBytesView
        }
        return RawHTTP.parse(bytes)
    }

    /// The request heads that reached the end of the pipeline (Hummingbird's place).
    func handedOn(_ channel: EmbeddedChannel) throws -> [HTTPRequestHead] {
        var heads: [HTTPRequestHead] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
            if case .head(let head) = part { heads.append(head) }
        }
        return heads
    }

    func sessionCookie() -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let session = Session(
            email: "alice@example.com", name: "Alice", groups: ["ops"], issuedAt: now - 10, expiresAt: now + 3600,
            id: Array(repeating: 7, count: 16))
        return endpoints.engine.gatekeeper.sessions.issue(
            session, host: "app.example.com", existing: CookieList([]), random: SystemRandomSource()
        ).map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    @Test func checksAreAnsweredFromTheBytes() throws {
        let channel = try channel()
        try send(Self.check(cookie: sessionCookie()) + Self.check() + Self.check(accept: "text/html"), to: channel)
        let answers = try answers(from: channel)
        #expect(answers.map(\.status) == [200, 401, 302])
        #expect(answers[0].values("X-Forwarded-User") == ["alice@example.com"])
        #expect(answers[0].values("Content-Length") == ["0"])
        #expect(answers[1].values("WWW-Authenticate") == ["Bearer"])
        #expect(answers[2].values("Location").first?.hasPrefix("https://dex.example.com/dex/auth?") == true)
        #expect(answers[2].values("Set-Cookie").contains { $0.hasPrefix("_forward_auth_csrf.") })
        #expect(answers.allSatisfy { $0.values("Date").count == 1 })
        #expect(try handedOn(channel).isEmpty)
        #expect(channel.isActive)
    }

    @Test func aHeadInPiecesIsAnsweredOnceWhole() throws {
        let channel = try channel()
        let bytes = Array(Self.check().utf8)
        for piece in stride(from: 0, to: bytes.count, by: 7) {
            #expect(try answers(from: channel).isEmpty)
            try send(String(decoding: bytes[piece..<min(piece + 7, bytes.count)], as: UTF8.self), to: channel)
        }
        #expect(try answers(from: channel).map(\.status) == [401])
        #expect(try handedOn(channel).isEmpty)
    }

    /// A check without a session: the API client's 401, whole.
    @Test func aCheckWithoutSessionIsAnsweredHere() throws {
        let channel = try channel()
        try send(Self.check(), to: channel)
        let answer = try #require(try answers(from: channel).first)
        #expect(answer.status == 401)
        #expect(answer.values("WWW-Authenticate") == ["Bearer"])
        #expect(answer.values("Content-Type") == ["application/json"])
        #expect(answer.values("Content-Length") == ["\(answer.body.utf8.count)"])
        #expect(answer.body.contains(#""status":401"#))
        let date = try #require(answer.values("Date").first)
        #expect(date.hasSuffix(" GMT") && date.count == 29)
        #expect(try handedOn(channel).isEmpty)
    }

    @Test func malformedForwardedHeadersAreA400Here() throws {
        let channel = try channel()
        try send(Self.check(extra: "X-Forwarded-Proto: gopher\r\n"), to: channel)
        #expect(try answers(from: channel).map(\.status) == [400])
    }

    /// Outside the subset: the decoder reads it, and Hummingbird answers; so does every later request on the
    /// connection.
    @Test func anUnusualHeadGoesToTheDecoderForGood() throws {
        let channel = try channel()
        try send(Self.check(extra: "User-Agent: caf\u{E9}\r\n") + Self.check(), to: channel)
        #expect(try handedOn(channel).count == 2)
        #expect(try answers(from: channel).isEmpty)
        try send(Self.check(), to: channel)
        #expect(try handedOn(channel).count == 1)
        #expect(try answers(from: channel).isEmpty)
    }

    @Test func aBodyGoesToTheDecoderWithTheBody() throws {
        let channel = try channel()
        try send(Self.check(extra: "Content-Length: 2\r\n") + "{}" + Self.check(), to: channel)
        let heads = try handedOn(channel)
        // The decoder read the body as the body: the check behind it is a request of its own, handed on too
        // (to be answered after the first).
        #expect(heads.count == 2)
        #expect(heads.first?.headers["Content-Length"] == ["2"])
        #expect(heads.last?.headers["X-Forwarded-Uri"] == ["/page"])
        #expect(try answers(from: channel).isEmpty)
    }

    /// A Bearer token needs the OIDC client: exactly its bytes go on; a check pipelined behind it waits for
    /// its answer; once that has ended, checks are answered from the bytes again.
    @Test func aHandedOnRequestKeepsItsPlaceInLine() throws {
        let channel = try channel()
        try send(Self.check(extra: "Authorization: Bearer a.b.c\r\n") + Self.check(), to: channel)
        #expect(try handedOn(channel).count == 2)
        #expect(try answers(from: channel).isEmpty)
        for status in [HTTPResponseStatus.unauthorized, .forbidden] {
            try channel.writeOutbound(
                HTTPServerResponsePart.head(
                    HTTPResponseHead(version: .http1_1, status: status, headers: ["Content-Length": "0"])))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }
        #expect(try answers(from: channel).map(\.status) == [401, 403])
        try send(Self.check(), to: channel)
        #expect(try answers(from: channel).map(\.status) == [401])
        #expect(try handedOn(channel).isEmpty)
    }

    /// A Bearer token verified before is answered here; another token still goes on to be verified.
    @Test func aKnownBearerTokenIsAnsweredHere() throws {
        let endpoints = Endpoints.withLoadedProvider(
            knownBearer: ("known.token.value", Identity(email: "robot@example.com", displayName: "Robot", groups: [])))
        let channel = try EmbeddedChannel.withLanes(endpoints)
        try send(Self.check(extra: "Authorization: Bearer known.token.value\r\n"), to: channel)
        let answered = try answers(from: channel)
        #expect(answered.map(\.status) == [200])
        #expect(answered.first?.values("X-Forwarded-User") == ["robot@example.com"])
        try send(Self.check(extra: "Authorization: Bearer other.token.value\r\n"), to: channel)
        #expect(try answers(from: channel).isEmpty)
        #expect(try handedOn(channel).count == 1)
    }

    @Test(arguments: [
        ("a probe (not forwarded)", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("HEAD", "HEAD / HTTP/1.1\r\nX-Forwarded-Host: app.example.com\r\n\r\n"),
        ("the callback", check(uri: "/_oauth?code=c&state=s")),
        ("logout", check(uri: "/_oauth/logout")),
        ("a chunked body", check(extra: "Transfer-Encoding: chunked\r\n")),
        ("an absolute-form target", "GET http://app.example.com/ HTTP/1.1\r\nHost: app.example.com\r\n\r\n"),
    ])
    func handsOnWhatItDoesNotAnswer(what: String, request: String) throws {
        let channel = try channel()
        try send(request, to: channel)
        #expect(try answers(from: channel).isEmpty, "\(what)")
        let heads = try handedOn(channel)
        #expect(heads.count == 1, "\(what)")
        // Hummingbird's HTTPTypes would read `http://host/` as the path `/`, a proxy's auth subrequest.
        #expect(heads.allSatisfy { $0.uri.hasPrefix("/") || $0.uri == "*" }, "\(what)")
    }

    /// HTTP/1.0 handed on is answered as the fast lane answers it (Hummingbird's HTTPTypes carry no version): in
    /// its version, closed unless it asked to stay open (`close` winning over `keep-alive`), and told so.
    @Test(arguments: [
        ("", "close", false), ("Connection: keep-alive\r\n", "keep-alive", true),
        ("Connection: keep-alive, close\r\n", "close", false),
    ])
    func http10HandedOnIsAnsweredInKind(extra: String, connection: String, staysOpen: Bool) throws {
        let channel = try channel()
        try send(Self.check(version: "1.0", extra: extra + "User-Agent: caf\u{E9}\r\n"), to: channel)
        let head = try #require(try handedOn(channel).first)
        #expect(head.isKeepAlive == staysOpen)
        // Hummingbird's answer, as it writes it: HTTP/1.1, no Connection header.
        try channel.writeOutbound(
            HTTPServerResponsePart.head(
                HTTPResponseHead(version: .http1_1, status: .unauthorized, headers: ["Content-Length": "0"])))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var bytes = ByteBuffer()
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(var buffer) = data { bytes.writeBuffer(&buffer) }
        }
        let text = String(buffer: bytes)
        #expect(text.hasPrefix("HTTP/1.0 401 Unauthorized\r\n"))
        #expect(text.contains("connection: \(connection)\r\n") || text.contains("Connection: \(connection)\r\n"))
        // Closed at once, not half-closed until the client goes.
        #expect(channel.isActive == staysOpen)
    }

    /// A client that pipelines checks and reads no answers: once the socket takes no more, nothing more is read, so
    /// the answers waiting for it cannot grow without bound; reading resumes when it drains.
    @Test func noReadsWhileTheSocketTakesNoMore() throws {
        let channel = try channel()
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads, position: .first)
        channel.read()
        #expect(reads.count == 1)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        channel.read()
        #expect(reads.count == 1)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(reads.count == 2)
    }

    /// A protocol switch is handed on to be answered, then closes the connection; nothing after it is read.
    @Test(arguments: [
        check(extra: "Connection: Upgrade\r\nUpgrade: websocket\r\n"),
        "CONNECT app.example.com:443 HTTP/1.1\r\nHost: app.example.com:443\r\n\r\n",
    ])
    func aProtocolSwitchEndsTheConnection(request: String) throws {
        let channel = try channel()
        try send(request + Self.check(), to: channel)
        let heads = try handedOn(channel)
        #expect(heads.count == 1)
        #expect(heads.first?.headers["Connection"] == ["close"])
        try send(Self.check(), to: channel)
        #expect(try handedOn(channel).isEmpty)
        #expect(try answers(from: channel).isEmpty)
    }

    @Test func connectionCloseClosesAfterTheAnswer() throws {
        let channel = try channel()
        try send(Self.check(extra: "Connection: close\r\n") + Self.check(), to: channel)
        let answers = try answers(from: channel)
        #expect(answers.map(\.status) == [401])
        #expect(answers.first?.values("Connection") == ["close"])
        #expect(!channel.isActive)
    }

    @Test func http10KeepsAliveOnlyWhenAsked() throws {
        let channel = try channel()
        try send(Self.check(version: "1.0", extra: "Connection: keep-alive\r\n"), to: channel)
        #expect(try answers(from: channel).first?.values("Connection") == ["keep-alive"])
        #expect(channel.isActive)
        try send(Self.check(version: "1.0"), to: channel)
        #expect(try answers(from: channel).first?.values("Connection") == ["close"])
        #expect(!channel.isActive)
    }

    /// The fast path's bytes are what NIO's encoder writes for the same answer, byte for byte.
    @Test(arguments: [
        Answer(status: 200, headers: [("X-Forwarded-User", "alice@example.com")]),
        Answer(status: 302, headers: [("Location", "https://dex/auth?a=1"), ("Set-Cookie", "a=b; Path=/")]),
        Answer(status: 401, headers: [("WWW-Authenticate", "Bearer")], body: "{\"error\":\"unauthorized\"}"),
        Answer(status: 403, body: "<html>no</html>"), Answer(status: 400, body: "Bad request."),
        Answer(status: 431), Answer(status: 503), Answer(status: 418, body: "teapot"),
    ])
    func answerBytesMatchNIOsEncoder(answer: Answer) throws {
        for (minorVersion, keepAlive) in [(1, true), (1, false), (0, true), (0, false)] {
            var fast = ByteBuffer()
            answer.writeHTTP1(
                into: &fast, minorVersion: minorVersion, keepAlive: keepAlive, date: "Sun, 29 Nov 2026 12:00:00 GMT")
            var headers = HTTPHeaders(answer.headers.map { ($0.name, $0.value) })
            headers.add(name: "Content-Length", value: String(answer.body.utf8.count))
            headers.add(name: "Date", value: "Sun, 29 Nov 2026 12:00:00 GMT")
            if !keepAlive {
                headers.add(name: "Connection", value: "close")
            } else if minorVersion == 0 {
                headers.add(name: "Connection", value: "keep-alive")
            }
            let encoder = EmbeddedChannel(handler: HTTPResponseEncoder())
            let head = HTTPResponseHead(
                version: HTTPVersion(major: 1, minor: minorVersion),
                status: HTTPResponseStatus(statusCode: answer.status),
                headers: headers)
            try encoder.writeOutbound(HTTPServerResponsePart.head(head))
            if !answer.body.isEmpty {
                try encoder.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: answer.body))))
            }
            try encoder.writeOutbound(HTTPServerResponsePart.end(nil))
            var nio = ByteBuffer()
            while let data = try encoder.readOutbound(as: IOData.self) {
                if case .byteBuffer(var buffer) = data { nio.writeBuffer(&buffer) }
            }
            #expect(String(buffer: fast) == String(buffer: nio), "\(answer.status) HTTP/1.\(minorVersion) \(keepAlive)")
        }
    }

    /// A header value with CR, LF or NUL is left out, with its name: the answer can never be split. The fields
    /// around it, and the room measured for it, are unaffected.
    @Test func unsafeHeaderValuesAreLeftOut() {
        let date = "Sun, 29 Nov 2026 12:00:00 GMT"
        for bad in ["a\r\nInjected: yes", "a\nb", "a\u{0}b", "\r"] {
            let answer = Answer(status: 302, headers: [("Location", "/x"), ("X-Bad", bad), ("Set-Cookie", "a=b")])
            let safe = Answer(status: 302, headers: [("Location", "/x"), ("Set-Cookie", "a=b")])
            var written = ByteBuffer()
            answer.writeHTTP1(into: &written, minorVersion: 1, keepAlive: true, date: date)
            var expected = ByteBuffer()
            safe.writeHTTP1(into: &expected, minorVersion: 1, keepAlive: true, date: date)
            #expect(written == expected, "\(bad.debugDescription)")
            #expect(written.readableBytes <= answer.http1Capacity)
        }
    }

    /// The capacity hint holds the longest answers a check writes: no reallocation while writing.
    @Test func capacityHoldsTheAnswer() {
        let long = String(repeating: "x", count: 3000)
        for answer in [
            Answer(status: 200), Answer(status: 431), Answer(status: 418, body: long),
            Answer(status: 302, headers: [("Location", long), ("Set-Cookie", long)]),
        ] {
            for (minorVersion, keepAlive) in [(1, true), (1, false), (0, true), (0, false)] {
                var buffer = ByteBuffer()
                answer.writeHTTP1(
                    into: &buffer, minorVersion: minorVersion, keepAlive: keepAlive,
                    date: "Sun, 29 Nov 2026 12:00:00 GMT")
                #expect(buffer.readableBytes <= answer.http1Capacity)
            }
        }
    }

    /// `Set-Cookie` values: attributes in a fixed order, each only when set.
    @Test func setCookieValues() {
        var cookie = SetCookie(name: "_forward_auth", value: "v1.abc", domain: "example.com", maxAge: 600, secure: true)
        #expect(
            cookie.headerValue
                == "_forward_auth=v1.abc; Max-Age=600; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax")
        cookie.domain = nil
        cookie.secure = false
        cookie.httpOnly = false
        cookie.sameSite = nil
        cookie.path = "/_oauth"
        cookie.maxAge = 0
        #expect(cookie.headerValue == "_forward_auth=v1.abc; Max-Age=0; Path=/_oauth")
        cookie.sameSite = SetCookie.SameSite.none
        cookie.maxAge = -1
        cookie.value = ""
        #expect(cookie.headerValue == "_forward_auth=; Max-Age=-1; Path=/_oauth; SameSite=None")
        cookie.sameSite = .strict
        cookie.name = "ü"
        #expect(cookie.headerValue == "ü=; Max-Age=-1; Path=/_oauth; SameSite=Strict")
    }

    /// Where `RequestHead` reads a head, NIO's decoder reads the same method, target, version and fields.
    @Test func readsWhatNIOsDecoderReads() throws {
        let heads = [
            Self.check(cookie: sessionCookie()), Self.check(version: "1.0"),
            "POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nA:b\r\nA: b\r\nTab:\tc\r\nEmpty:\r\nQuote: \"x\"\r\nIn: a \t b\r\n\r\n",
            "DELETE /%2e%2e/admin HTTP/1.1\r\nX-Forwarded-Uri: /a//b/../c\r\nX-!#$%&'*+-.^_`|~: v\r\n\r\n",
        ]
        for text in heads {
            guard case .complete(let ours, _) = Array(text.utf8).withUnsafeBytes({ RequestHead.read($0) }) else {
                Issue.record("not read: \(text.debugDescription)")
                continue
            }
            let decoder = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
            try decoder.writeInbound(ByteBuffer(string: text))
            guard case .head(let nio) = try decoder.readInbound(as: HTTPServerRequestPart.self) else {
                Issue.record("NIO read no head: \(text.debugDescription)")
                continue
            }
            #expect(ours.method == nio.method.rawValue)
            #expect(ours.target == nio.uri)
            #expect(ours.minorVersion == nio.version.minor)
            #expect(ours.fieldCount == nio.headers.count)
            for (name, value) in nio.headers {
                #expect(ours.values(name).contains(value), "\(name): \(value)")
            }
        }
    }
}

/// Counts the reads that reach the socket.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    private(set) var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}
