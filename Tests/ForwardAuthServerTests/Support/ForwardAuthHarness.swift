import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// Runs the test identity provider and forward-auth as real servers on 127.0.0.1 for one test, and stops both
/// when the test body returns or throws.
struct ForwardAuthHarness {
    let provider: TestIdentityProvider
    let client: any TestClientProtocol
    let providerClient: any TestClientProtocol
    /// The `metrics-address` listener's port once it listens (0 before, or without one).
    let metricsPort: MetricsPort

    static func run(
        configure: @Sendable (inout Configuration) -> Void = { _ in },
        transport: (@Sendable (any HTTPTransport) -> any HTTPTransport)? = nil,
        providerTimeout: TimeAmount = .seconds(5),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        logger: Logger = Logger(label: "forward-auth-test"),
        _ body: @Sendable (ForwardAuthHarness) async throws -> Void
    ) async throws {
        let provider = try await TestIdentityProvider()
        try await provider.application().test(.live) { providerClient in
            var configuration = Configuration.testing(
                issuer: provider.issuer, clientSecret: Secret(provider.state.withLock { $0.settings.clientSecret }))
            configuration.listenAddress = "127.0.0.1"
            configuration.port = 0
            configure(&configuration)
            let http = try AsyncHTTPClientTransport(caCertificateFile: nil, timeout: providerTimeout)
            let metricsPort = MetricsPort()
            let app = try buildApplication(
                configuration: configuration, transport: transport?(http) ?? http, clock: clock,
                onMetricsServerRunning: { port in metricsPort.set(port) }, logger: logger)
            do {
                try await app.test(.live) { client in
                    try await body(
                        ForwardAuthHarness(
                            provider: provider, client: client, providerClient: providerClient,
                            metricsPort: metricsPort))
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    /// Waits until the provider's discovery and keys are loaded (at most 10 s).
    func waitUntilProviderReady() async throws {
        for _ in 0..<100 {
            let response = try await client.execute(uri: "/readyz?require=provider", method: .get)
            if response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("provider never became ready")
    }

    /// A Traefik-style check subrequest.
    func check(
        host: String = "app.example.com", uri: String = "/page?q=1", proto: String = "https",
        accept: String = "text/html,application/xhtml+xml", cookies: [String: String] = [:],
        extra: HTTPFields = [:], method: String = "GET"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [
            .init("X-Forwarded-Method")!: method, .init("X-Forwarded-Proto")!: proto,
            .init("X-Forwarded-Host")!: host, .init("X-Forwarded-Uri")!: uri, .accept: accept,
        ]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: "; ")
        }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: "/", method: .get, headers: headers)
    }

    /// Follows a redirect to the provider's authorization endpoint and returns where the provider sends the
    /// browser back to.
    func authorize(_ location: String) async throws -> URLComponents {
        let url = try requireValue(URLComponents(string: location), "authorize URL")
        let response = try await providerClient.execute(
            uri: url.path + "?" + (url.percentEncodedQuery ?? ""), method: .get)
        guard response.status == .found, let back = response.headers[.location],
            let components = URLComponents(string: back)
        else { throw HarnessError("provider did not redirect back: \(response.status)") }
        return components
    }

    /// The full browser login: check → provider → callback. Returns the browser's cookies and the callback answer.
    func login(
        host: String = "app.example.com", uri: String = "/page?q=1", startHeaders: HTTPFields = [:],
        callbackHeaders: HTTPFields = [:]
    ) async throws -> (cookies: [String: String], callback: TestResponse) {
        let start = try await check(host: host, uri: uri, extra: startHeaders)
        guard start.status == .found, let location = start.headers[.location] else {
            throw HarnessError("check did not redirect to the provider: \(start.status)")
        }
        var jar = Self.cookies(from: start)
        let back = try await authorize(location)
        let callbackHost = back.host.map { name in back.port.map { "\(name):\($0)" } ?? name } ?? host
        let callback = try await check(
            host: callbackHost, uri: back.path + "?" + (back.percentEncodedQuery ?? ""), cookies: jar,
            extra: callbackHeaders)
        for (name, value) in Self.cookies(from: callback) {
            if value.isEmpty { jar.removeValue(forKey: name) } else { jar[name] = value }
        }
        return (jar, callback)
    }

    /// name → value of every Set-Cookie (an empty value for deletions).
    static func cookies(from response: TestResponse) -> [String: String] {
        var jar: [String: String] = [:]
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            jar[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return jar
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func requireValue<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw HarnessError("missing \(what)") }
    return value
}
