import Foundation
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthWire

/// Which proxy each URL takes, and how the environment is read (Go's `http.ProxyFromEnvironment`).
@Suite("Outbound proxy: per URL and from the environment")
struct OutboundProxyTests {
    /// `Configuration.load` as the command calls it: with the proxy variables added.
    enum Input {
        static func environment(_ changes: [String: String]) -> [String: String] {
            ConfigurationInput.environment(changes)
        }

        static func load(_ arguments: [String] = [], environment: [String: String]) -> ConfigurationLoadResult {
            ConfigurationInput.load(arguments, environment: environment)
        }

        static func valid(
            environment: [String: String] = ConfigurationInput.environment,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> (configuration: Configuration, warnings: [String]) {
            guard case .configuration(let configuration, let warnings) = load(environment: environment) else {
                Issue.record("expected a configuration", sourceLocation: sourceLocation)
                throw ConfigurationInput.Unexpected()
            }
            return (configuration, warnings)
        }

        static func problems(
            environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation
        ) -> [String] {
            guard case .invalid(let problems) = load(environment: environment) else {
                Issue.record("expected problems", sourceLocation: sourceLocation)
                return []
            }
            return problems
        }
    }

    static let httpProxy = ProxyServer(kind: .http, host: "plain-proxy", port: 3128)
    static let httpsProxy = ProxyServer(kind: .http, host: "tls-proxy", port: 3129)

    static func proxy(noProxy: String = "") -> OutboundProxy {
        OutboundProxy(httpProxy: httpProxy, httpsProxy: httpsProxy, noProxy: NoProxyList(noProxy))
    }

    @Test(arguments: [
        ("https://dex.example.com/dex/.well-known/openid-configuration", "tls-proxy"),
        ("http://dex.example.com/dex", "plain-proxy"), ("HTTPS://DEX.example.com:8443/", "tls-proxy"),
        ("https://10.96.0.1:443/apis", "tls-proxy"), ("https://[fd00::1]:6443/apis", "tls-proxy"),
        // Loopback is never proxied, and no other scheme is.
        ("https://localhost:8443/", nil), ("http://LOCALHOST/", nil), ("https://127.0.0.1/", nil),
        ("https://127.9.9.9:5556/", nil), ("https://[::1]:5556/", nil), ("ftp://dex.example.com/", nil),
    ])
    func choosesByScheme(url: String, expectedHost: String?) throws {
        let target = try #require(URL(string: url))
        #expect(Self.proxy().server(for: target)?.host == expectedHost)
    }

    @Test(arguments: [
        ("https://dex.example.com/", "example.com", nil), ("https://dex.example.com/", ".example.org", "tls-proxy"),
        ("https://dex.example.com:8443/", "dex.example.com:443", "tls-proxy"),
        ("https://dex.example.com/", "dex.example.com:443", nil),
        ("http://dex.example.com/", "dex.example.com:80", nil),
        ("http://dex.example.com/", "dex.example.com:443", "plain-proxy"), ("https://10.96.0.1/", "10.0.0.0/8", nil),
        ("https://[fd00::1]/", "fd00::/8", nil), ("https://dex.example.com/", "*", nil),
    ])
    func noProxyExempts(url: String, noProxy: String, expectedHost: String?) throws {
        let target = try #require(URL(string: url))
        #expect(Self.proxy(noProxy: noProxy).server(for: target)?.host == expectedHost)
    }

    @Test func aMissingProxyForTheSchemeMeansDirect() throws {
        let onlyHTTPS = OutboundProxy(httpProxy: nil, httpsProxy: Self.httpsProxy, noProxy: .empty)
        #expect(onlyHTTPS.server(for: try #require(URL(string: "http://dex.example.com/"))) == nil)
        #expect(onlyHTTPS.server(for: try #require(URL(string: "https://dex.example.com/"))) == Self.httpsProxy)
        #expect(OutboundProxy.direct.server(for: try #require(URL(string: "https://dex.example.com/"))) == nil)
    }

    @Test func oneClientPerDistinctProxy() {
        #expect(Self.proxy().servers == [Self.httpsProxy, Self.httpProxy])
        let same = OutboundProxy(httpProxy: Self.httpProxy, httpsProxy: Self.httpProxy, noProxy: .empty)
        #expect(same.servers == [Self.httpProxy])
        #expect(OutboundProxy.direct.servers.isEmpty)
    }

    @Test func upperCaseWinsAndEmptyCountsAsUnset() {
        let reading = OutboundProxy.fromEnvironment([
            "HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1", "HTTP_PROXY": "",
            "http_proxy": "http://lower:2", "no_proxy": "example.com", "NO_PROXY": "",
        ])
        #expect(reading.problems.isEmpty)
        #expect(reading.proxy.httpsProxy?.host == "upper")
        #expect(reading.proxy.httpProxy?.host == "lower")
        #expect(reading.proxy.noProxy == NoProxyList("example.com"))
    }

    @Test func nothingSetIsDirect() {
        let reading = OutboundProxy.fromEnvironment(["PATH": "/usr/bin", "NO_PROXY": "example.com"])
        #expect(reading.proxy.servers.isEmpty)
        #expect(reading.proxy.description == "none")
        #expect(reading.problems.isEmpty && reading.warnings.isEmpty)
    }

    @Test func cgiIgnoresHTTPProxyOnly() {
        let reading = OutboundProxy.fromEnvironment([
            "REQUEST_METHOD": "GET", "HTTP_PROXY": "http://attacker:8080", "HTTPS_PROXY": "http://proxy:3128",
        ])
        #expect(reading.proxy.httpProxy == nil)
        #expect(reading.proxy.httpsProxy?.host == "proxy")
        #expect(reading.warnings.count == 1)
        #expect(reading.warnings.first?.contains("REQUEST_METHOD") == true)
    }

    @Test func badValuesAreNamedByTheirVariableWithoutCredentials() {
        let reading = OutboundProxy.fromEnvironment([
            "https_proxy": "https://user:hunter2@proxy:3128", "HTTP_PROXY": "http://user:hunter2@proxy:0",
        ])
        #expect(reading.problems.count == 2)
        #expect(reading.problems.first?.hasPrefix("https_proxy: \"https://***@proxy:3128\"") == true)
        #expect(reading.problems.last?.hasPrefix("HTTP_PROXY: \"http://***@proxy:0\"") == true)
        #expect(!reading.problems.joined().contains("hunter2"))
    }

    @Test func loadSetsTheProxyAndDescribesItRedacted() throws {
        let (configuration, _) = try Input.valid(
            environment: Input.environment([
                "HTTPS_PROXY": "http://user:hunter2@proxy.internal:3128", "NO_PROXY": ".svc,10.0.0.0/8",
            ]))
        #expect(configuration.outboundProxy.httpsProxy?.host == "proxy.internal")
        #expect(configuration.outboundProxy.httpsProxy?.credentials?.password.revealString() == "hunter2")
        #expect(configuration.outboundProxy.httpProxy == nil)
        let description = configuration.description
        #expect(
            description.contains("outbound-proxy = https via http://***@proxy.internal:3128, no_proxy .svc,10.0.0.0/8"))
        #expect(!description.contains("hunter2"))
        #expect(!"\(configuration.outboundProxy)".contains("hunter2"))
    }

    @Test func loadWithoutProxyShowsNone() throws {
        let (configuration, _) = try Input.valid()
        #expect(configuration.outboundProxy == .direct)
        #expect(!configuration.description.contains("outbound-proxy"))
    }

    @Test func loadListsAProxyProblemWithTheOthers() {
        let problems = Input.problems(
            environment: Input.environment(["HTTPS_PROXY": "ftp://user:hunter2@proxy", "LOGOUT_REDIRECT": "/bye"]))
        #expect(problems.count == 2)
        #expect(problems.last?.hasPrefix("HTTPS_PROXY: \"ftp://***@proxy\": the scheme \"ftp\"") == true)
        #expect(!problems.joined().contains("hunter2"))
    }

    @Test func loadRefusesAValidConfigurationWithABadProxy() {
        let problems = Input.problems(environment: Input.environment(["HTTP_PROXY": "http://proxy:70000"]))
        #expect(
            problems == ["HTTP_PROXY: \"http://proxy:70000\": \"proxy:70000\" is not host[:port] (a port is 1-65535)"])
    }

    @Test func loadCarriesTheCGIWarning() throws {
        let (_, warnings) = try Input.valid(
            environment: Input.environment(["REQUEST_METHOD": "POST", "HTTP_PROXY": "http://proxy:3128"]))
        #expect(warnings.contains { $0.hasPrefix("REQUEST_METHOD is set") })
    }

    @Test func helpAndVersionPassUnchanged() {
        guard case .version = Input.load(["--version"], environment: ["HTTPS_PROXY": "ftp://x"]) else {
            Issue.record("expected version")
            return
        }
    }
}
