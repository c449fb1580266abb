import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// Impersonation, claim headers and token forwarding through a real login and a real server.
@Suite("Identity headers over HTTP")
struct ImpersonationIntegrationTests {
    /// A temporary file holding `text`, removed by the caller.
    static func tokenFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sa-token-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs the harness with impersonation on and `token` in a service-account token file, ready to log in.
    static func withImpersonation(
        token: String, configure: @Sendable @escaping (inout Configuration) -> Void = { _ in },
        _ body: @Sendable @escaping (ForwardAuthHarness) async throws -> Void
    ) async throws {
        let path = try tokenFile(token)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await ForwardAuthHarness.run(configure: {
            $0.enableImpersonation = true
            $0.serviceAccountTokenPath = path
            configure(&$0)
        }) { harness in
            try await harness.waitUntilProviderReady()
            try await body(harness)
        }
    }

    @Test func impersonationHeadersCarryTheFileTokenTheUserAndPrefixedGroups() async throws {
        try await Self.withImpersonation(token: "service-account-token-1\n") { harness in
            let (cookies, _) = try await harness.login()
            let response = try await harness.check(cookies: cookies)
            #expect(response.status == .ok)
            #expect(response.headers[.authorization] == "Bearer service-account-token-1")
            #expect(response.headers[values: HTTPField.Name("Impersonate-User")!] == ["alice@example.com"])
            #expect(
                response.headers[values: HTTPField.Name("Impersonate-Group")!] == [
                    "system:authenticated", "oidc:devs", "oidc:ops",
                ])
        }
    }

    @Test func impersonationWithoutAReadableTokenAnswers503() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.enableImpersonation = true
            $0.serviceAccountTokenPath = "/nonexistent/forward-auth-test/token"
        }) { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, _) = try await harness.login()
            let api = try await harness.check(accept: "application/json", cookies: cookies)
            #expect(api.status == .serviceUnavailable)
            #expect(api.headers[.retryAfter] == "5")
            #expect(api.headers[.authorization] == nil)
            let page = try await harness.check(cookies: cookies)
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains("Temporarily unavailable"))
        }
    }

    @Test func claimHeadersAndTheForwardedTokenReachTheAnswer() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.claimHeaders = [
                .init(header: "X-Auth-Request-Groups", claim: "groups"),
                .init(header: "X-Auth-Request-Name", claim: "name"),
            ]
            $0.forwardTokenHeaderName = "X-Id-Token"
            $0.forwardTokenPrefix = "Bearer "
        }) { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, _) = try await harness.login()
            let response = try await harness.check(cookies: cookies)
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("X-Auth-Request-Groups")!] == "devs,ops")
            #expect(response.headers[HTTPField.Name("X-Auth-Request-Name")!] == "Alice Example")
            let forwarded = try #require(response.headers[HTTPField.Name("X-Id-Token")!])
            #expect(forwarded.hasPrefix("Bearer ey"))
            #expect(forwarded.split(separator: ".").count == 3)
        }
    }
}

@Suite("Service-account token file")
struct ServiceAccountTokenReaderTests {
    @Test func aRotatedTokenIsPickedUpAndAVanishedFileKeepsTheLastOne() async throws {
        let path = try ImpersonationIntegrationTests.tokenFile("first-token")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = ServiceAccountToken()
        let reader = ServiceAccountTokenReader(
            path: path, token: token, logger: Logger(label: "test"), interval: .milliseconds(20))
        let task = Task { try await reader.run() }
        defer { task.cancel() }
        try await Self.eventually { token.current == "first-token" }
        // The kubelet writes the new token beside the old and swaps it in.
        let staged = path + ".new"
        try Data("second-token\n".utf8).write(to: URL(fileURLWithPath: staged))
        #expect(rename(staged, path) == 0)
        try await Self.eventually { token.current == "second-token" }
        try FileManager.default.removeItem(atPath: path)
        try await Task.sleep(for: .milliseconds(100))
        #expect(token.current == "second-token")
    }

    @Test(arguments: ["", "  \n", "two words", String(repeating: "x", count: 70_000)])
    func whatIsNotATokenIsRefused(content: String) throws {
        let path = try ImpersonationIntegrationTests.tokenFile(content)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .failure = ServiceAccountTokenReader.read(path) else {
            Issue.record("accepted \(content.prefix(20))")
            return
        }
    }

    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition never became true")
    }
}
