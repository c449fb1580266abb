import ForwardAuth
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// `RequestHead`: the strict HTTP/1 subset the check path reads itself. What it must never do is accept
/// something a general decoder would read differently; everything unusual is `.unsupported`.
@Suite struct RequestHeadTests {
    static let traefik =
        "GET / HTTP/1.1\r\nHost: forward-auth:4181\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n"
        + "Cookie: _forward_auth=v1.abc; other=1\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
        + "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /dashboard?tab=1\r\n"
        + "X-Forwarded-For: 10.0.0.1\r\n\r\n"

    static func read(_ text: String, searchFrom: Int = 0, maxLength: Int = RequestHead.defaultMaxLength)
        -> RequestHead.Reading
    {
        Array(text.utf8).withUnsafeBytes { RequestHead.read($0, searchFrom: searchFrom, maxLength: maxLength) }
    }

    static func head(_ text: String) throws -> (RequestHead, Int) {
        guard case .complete(let head, let length) = read(text) else {
            Issue.record("not complete: \(text.debugDescription)")
            throw CancellationError()
        }
        return (head, length)
    }

    @Test func readsTraefiksSubrequest() throws {
        let (head, length) = try Self.head(Self.traefik)
        #expect(length == Self.traefik.utf8.count)
        #expect(head.method == "GET")
        #expect(head.target == "/")
        #expect(head.minorVersion == 1)
        #expect(head.fieldCount == 9)
        #expect(head.first("x-forwarded-host") == "app.example.com")
        #expect(head.first("X-FORWARDED-URI") == "/dashboard?tab=1")
        #expect(head.first("Cookie") == "_forward_auth=v1.abc; other=1")
        #expect(head.first("Authorization") == nil)
        #expect(head.contains("accept"))
        #expect(!head.contains("accep"))
        #expect(head.isKeepAlive)
    }

    @Test func stopsAtTheEndOfTheHeadAndLeavesWhatFollows() throws {
        let (_, length) = try Self.head(Self.traefik + "GET /next HTTP/1.1\r\n")
        #expect(length == Self.traefik.utf8.count)
    }

    @Test func repeatedFieldsKeepTheirOrder() throws {
        let (head, _) = try Self.head(
            "GET / HTTP/1.1\r\nX-Forwarded-Prefix: /a\r\nCookie: a=1\r\nx-forwarded-prefix: /b\r\ncookie: b=2\r\n\r\n")
        #expect(head.values("Cookie") == ["a=1", "b=2"])
        #expect(head.first("X-Forwarded-Prefix") == "/a")
        #expect(head.last("X-Forwarded-Prefix") == "/b")
        #expect(head.values("Accept") == [])
    }

    @Test func agreedValueRefusesDisagreement() throws {
        let (same, _) = try Self.head("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nX-Forwarded-Host: a\r\n\r\n")
        #expect(try same.agreedValue("X-Forwarded-Host") == "a")
        #expect(try same.agreedValue("X-Forwarded-Uri") == nil)
        let (different, _) = try Self.head("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nX-Forwarded-Host: b\r\n\r\n")
        #expect(throws: DisagreeingHeader.self) { try different.agreedValue("X-Forwarded-Host") }
    }

    @Test func valuesLoseLeadingWhitespace() throws {
        let (head, _) = try Self.head("GET / HTTP/1.1\r\nAccept: \t text/html, */*\r\nEmpty:\r\nInner: a  b\r\n\r\n")
        #expect(head.first("Accept") == "text/html, */*")
        #expect(head.first("Empty") == "")
        #expect(head.first("Inner") == "a  b")
    }

    @Test(arguments: [
        ("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false),
        ("HTTP/1.1", "Connection: Keep-Alive, CLOSE\r\n", false), ("HTTP/1.0", "", false),
        ("HTTP/1.0", "Connection: keep-alive\r\n", true), ("HTTP/1.0", "Connection: te, Keep-Alive\r\n", true),
    ])
    func keepAliveFollowsTheVersionAndConnection(version: String, connection: String, keepAlive: Bool) throws {
        let (head, _) = try Self.head("GET / \(version)\r\nHost: x\r\n\(connection)\r\n")
        #expect(head.isKeepAlive == keepAlive)
        #expect(head.minorVersion == (version == "HTTP/1.0" ? 0 : 1))
    }

    @Test func waitsForTheRestOfAHead() {
        let bytes = Array(Self.traefik.utf8)
        for cut in [0, 1, 15, 16, bytes.count / 2, bytes.count - 2, bytes.count - 1] {
            let prefix = String(decoding: bytes[..<cut], as: UTF8.self)
            guard case .incomplete = Self.read(prefix) else {
                Issue.record("a head cut at \(cut) is not incomplete")
                continue
            }
            // Resuming the search where the last reading stopped finds the same end.
            guard case .complete(_, let length) = Self.read(Self.traefik, searchFrom: cut) else {
                Issue.record("resuming from \(cut) does not complete")
                continue
            }
            #expect(length == bytes.count)
        }
    }

    @Test func aHeadOverTheLimitIsNotReadHere() {
        let long = "GET / HTTP/1.1\r\nCookie: \(String(repeating: "a", count: 200))\r\n\r\n"
        guard case .unsupported = Self.read(long, maxLength: 100) else {
            Issue.record("a head over the limit was read")
            return
        }
        // Not yet over the limit and not complete: wait.
        guard case .incomplete = Self.read(String(decoding: long.utf8.prefix(99), as: UTF8.self), maxLength: 100) else {
            Issue.record("a short prefix was not incomplete")
            return
        }
    }

    /// Each is something a general decoder judges (and may accept): never read here.
    @Test(arguments: [
        ("bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n"),
        ("bare LF in a field", "GET / HTTP/1.1\r\nHost: x\nY: z\r\n\r\n"),
        ("bare CR in a value", "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n"),
        // NIO's decoder keeps trailing whitespace in the value; RFC 9110 drops it. Go's net/http never sends it.
        ("trailing whitespace", "GET / HTTP/1.1\r\nX-Forwarded-Host: a \r\n\r\n"),
        ("trailing tab", "GET / HTTP/1.1\r\nX-Forwarded-Host: a\t\r\n\r\n"),
        ("space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
        ("no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n"),
        ("empty name", "GET / HTTP/1.1\r\n: x\r\n\r\n"),
        ("obs-text", "GET / HTTP/1.1\r\nUser-Agent: caf\u{E9}\r\n\r\n"),
        ("NUL", "GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n"),
        ("DEL", "GET / HTTP/1.1\r\nX: a\u{7F}b\r\n\r\n"),
        ("control in a value", "GET / HTTP/1.1\r\nX: a\u{1B}b\r\n\r\n"),
        ("HTTP/2 line", "GET / HTTP/2.0\r\n\r\n"),
        ("HTTP/1.2", "GET / HTTP/1.2\r\n\r\n"),
        ("lower-case version", "GET / http/1.1\r\n\r\n"),
        ("two spaces", "GET  / HTTP/1.1\r\n\r\n"),
        ("space in the target", "GET /a b HTTP/1.1\r\n\r\n"),
        ("tab after the method", "GET\t/ HTTP/1.1\r\n\r\n"),
        ("no target", "GET HTTP/1.1\r\n\r\n"),
        ("no method", " / HTTP/1.1\r\n\r\n"),
        ("a method that is not a token", "G(T / HTTP/1.1\r\n\r\n"),
        ("a leading empty line", "\r\nGET / HTTP/1.1\r\n\r\n"),
        ("garbage", "\u{16}\u{3}\u{1}\u{0}\r\n\r\n"),
        // Not yet a whole head, but it can never become one of the subset: no waiting for more.
        ("an unfinished head with bare LFs", "GET / HTTP/1.1\nHost: x\n"),
        ("an unfinished TLS hello", "\u{16}\u{3}\u{1}\u{2}\u{0}\u{1}"),
        ("an unfinished head with a bare CR", "GET / HTTP/1.1\rHost"),
    ])
    func unusualHeadsAreLeftToTheGeneralDecoder(what: String, text: String) {
        guard case .unsupported = Self.read(text) else {
            Issue.record("\(what) was read here")
            return
        }
    }

    @Test func tooManyFieldsAreLeftToTheGeneralDecoder() {
        let fields = (0..<(RequestHead.defaultMaxFields + 1)).map { "X-\($0): v\r\n" }.joined()
        guard case .unsupported = Self.read("GET / HTTP/1.1\r\n\(fields)\r\n") else {
            Issue.record("too many fields were read here")
            return
        }
    }
}
