import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthWire

/// One `HTTPS_PROXY` / `HTTP_PROXY` value.
@Suite("Outbound proxy: proxy URLs")
struct ProxyServerTests {
    @Test(arguments: [
        ("http://proxy:3128", ProxyServer.Kind.http, "proxy", 3128),
        // Without a scheme: http:// (Go).
        ("proxy:3128", .http, "proxy", 3128), ("10.0.0.5:3128", .http, "10.0.0.5", 3128),
        ("proxy.example.com", .http, "proxy.example.com", 80),
        // Default ports by scheme; case and a path do not matter.
        ("http://proxy", .http, "proxy", 80), ("HTTP://Proxy.Example.com:8080/", .http, "proxy.example.com", 8080),
        ("socks5://socks.local", .socks5, "socks.local", 1080),
        ("socks5://socks.local:9050", .socks5, "socks.local", 9050),
        ("http://[fd00::5]:3128", .http, "fd00::5", 3128), (" http://proxy:3128 ", .http, "proxy", 3128),
    ])
    func parses(text: String, kind: ProxyServer.Kind, host: String, port: Int) throws {
        let server = try ProxyServer(parsing: text)
        #expect(server == ProxyServer(kind: kind, host: host, port: port))
    }

    @Test func credentialsArePercentDecodedAndNeverShown() throws {
        let server = try ProxyServer(parsing: "http://us%40er:p%3Ass@w0rd@proxy:3128")
        let credentials = try #require(server.credentials)
        #expect(credentials.username == "us@er")
        #expect(credentials.password.revealString() == "p:ss@w0rd")
        #expect(server.description == "http://***@proxy:3128")
        #expect(!"\(server)".contains("w0rd"))
        #expect(!String(reflecting: server).contains("w0rd"))
    }

    @Test func aUserWithoutPasswordIsCredentials() throws {
        let server = try ProxyServer(parsing: "user@proxy:3128")
        #expect(server.credentials?.username == "user")
        #expect(server.credentials?.password.revealString() == "")
        #expect(server.description == "http://***@proxy:3128")
    }

    @Test func describesIPv6WithBrackets() throws {
        #expect(try ProxyServer(parsing: "[fd00::5]:3128").description == "http://[fd00::5]:3128")
    }

    @Test(arguments: [
        ("https://user:secret@proxy:3128", "\"https://***@proxy:3128\": a proxy reached over TLS (https://)"),
        ("ftp://proxy:21", "\"ftp://proxy:21\": the scheme \"ftp\" is not one of http://, socks5://"),
        ("socks5://user:secret@proxy:1080", "\"socks5://***@proxy:1080\": SOCKS5 proxy credentials are not supported"),
        ("http://user:secret@", "\"http://***@\": no proxy host"), ("http://", "\"http://\": no proxy host"),
        ("http://user:secret@proxy:99999", "\"http://***@proxy:99999\": \"proxy:99999\" is not host[:port]"),
        ("http://proxy:port", "\"http://proxy:port\": \"proxy:port\" is not host[:port]"),
        ("http://pro xy:3128", "\"http://pro xy:3128\": \"pro xy:3128\" is not host[:port]"),
        ("http://user:%zz@proxy", "\"http://***@proxy\": the credentials are not valid percent-encoding"),
    ])
    func refuses(text: String, messagePrefix: String) {
        do {
            let server = try ProxyServer(parsing: text)
            Issue.record("parsed \(server)")
        } catch {
            #expect(error.description.hasPrefix(messagePrefix), "\(error)")
            #expect(!error.description.contains("secret"))
        }
    }

    @Test(arguments: [
        ("http://user:pass@proxy:3128/x", "http://***@proxy:3128/x"), ("user:pass@proxy", "***@proxy"),
        ("http://proxy:3128", "http://proxy:3128"), ("http://a@b@proxy", "http://***@proxy"),
        ("http://proxy/path@x", "http://proxy/path@x"),
    ])
    func redactsCredentialsInQuotes(text: String, redacted: String) {
        #expect(ProxyServer.redactingCredentials(text) == redacted)
    }
}
