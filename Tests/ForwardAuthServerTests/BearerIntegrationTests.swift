import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// API clients authenticate with a Dex ID token as `Authorization: Bearer`.
@Suite("Bearer ID tokens")
struct BearerIntegrationTests {
    func token(
        _ harness: ForwardAuthHarness, expiresIn: TimeInterval = 600, audience: [String] = ["forward-auth"],
        azp: String? = nil
    ) async throws -> String {
        let now = Date()
        return try await harness.provider.sign(
            TestClaims(
                iss: IssuerClaim(value: harness.provider.issuer), sub: SubjectClaim(value: "s"),
                aud: AudienceClaim(value: audience), azp: azp, exp: ExpirationClaim(value: now + expiresIn),
                iat: IssuedAtClaim(value: now - 700), nonce: nil, email: "robot@example.com", email_verified: true,
                name: nil, groups: ["ci"]))
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func validBearerTokenPasses() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let response = try await harness.check(accept: "application/json", extra: bearer(try await token(harness)))
            #expect(response.status == .ok)
            #expect(response.headers[.init("X-Forwarded-User")!] == "robot@example.com")
        }
    }

    /// A validly signed token over 32 KiB is refused before it is decoded; one just under passes (issue 15).
    @Test func bearerTokensOver32KiBAreRefusedUnread() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            func token(groups: Int) async throws -> String {
                let now = Date()
                return try await harness.provider.sign(
                    TestClaims(
                        iss: IssuerClaim(value: harness.provider.issuer), sub: SubjectClaim(value: "s"),
                        aud: AudienceClaim(value: ["forward-auth"]), exp: ExpirationClaim(value: now + 600),
                        iat: IssuedAtClaim(value: now), nonce: nil, email: "robot@example.com", email_verified: true,
                        name: nil, groups: (0..<groups).map { "group-with-a-longish-name-\($0)" }))
            }
            let large = try await token(groups: 600)
            let huge = try await token(groups: 1000)
            try #require(large.utf8.count < 32 * 1024 && huge.utf8.count > 32 * 1024)
            #expect(try await harness.check(accept: "application/json", extra: bearer(large)).status == .ok)
            #expect(try await harness.check(accept: "application/json", extra: bearer(huge)).status == .unauthorized)
        }
    }

    @Test func expiredBearerTokenIsRefused() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let expired = try await token(harness, expiresIn: -120)
            let response = try await harness.check(accept: "application/json", extra: bearer(expired))
            #expect(response.status == .unauthorized)
        }
    }

    @Test func forgedBearerTokenIsRefused() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            var parts = try await token(harness).split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            let response = try await harness.check(
                accept: "application/json", extra: bearer(parts.joined(separator: ".")))
            #expect(response.status == .unauthorized)
        }
    }

    @Test func crossClientTokensNeedATrustedAudience() async throws {
        // Dex trustedPeers: client "kubectl" asked for audience:server:client_id:forward-auth.
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let peer = try await token(harness, audience: ["forward-auth", "kubectl"], azp: "kubectl")
            let response = try await harness.check(accept: "application/json", extra: bearer(peer))
            #expect(response.status == .unauthorized)
        }
        try await ForwardAuthHarness.run(configure: { $0.trustedAudiences = ["kubectl"] }) { harness in
            try await harness.waitUntilProviderReady()
            let peer = try await token(harness, audience: ["forward-auth", "kubectl"], azp: "kubectl")
            let response = try await harness.check(accept: "application/json", extra: bearer(peer))
            #expect(response.status == .ok)
        }
    }
}

/// An email holding `:` (`system:admin`) would be a Kubernetes user name: refused as a Bearer token (401) and at
/// the callback (403 page, `denied`), so it never becomes `Impersonate-User` or an RBAC subject (issue 15).
@Suite("Reserved Kubernetes names")
struct ReservedKubernetesNamesTests {
    static let tokenFile = "sa-token-reserved-names"

    static func run(_ body: @Sendable @escaping (ForwardAuthHarness) async throws -> Void) async throws {
        try await ImpersonationIntegrationTests.withImpersonation(token: tokenFile, body)
    }

    @Test(arguments: ["system:admin", "a:b@example.com"])
    func aBearerTokenForAReservedNameIs401(email: String) async throws {
        try await Self.run { harness in
            let now = Date()
            let token = try await harness.provider.sign(
                TestClaims(
                    iss: IssuerClaim(value: harness.provider.issuer), sub: SubjectClaim(value: "s"),
                    aud: AudienceClaim(value: ["forward-auth"]), exp: ExpirationClaim(value: now + 600),
                    iat: IssuedAtClaim(value: now), nonce: nil, email: email, email_verified: true, name: nil,
                    groups: ["ci"]))
            let response = try await harness.check(
                accept: "application/json", extra: [.authorization: "Bearer \(token)"])
            #expect(response.status == .unauthorized)
            #expect(response.headers[HTTPField.Name("Impersonate-User")!] == nil)
        }
    }

    @Test func aLoginForAReservedNameIsDenied() async throws {
        try await Self.run { harness in
            harness.provider.update { $0.email = "system:masters" }
            let (cookies, callback) = try await harness.login()
            #expect(callback.status == .forbidden)
            #expect(String(buffer: callback.body).contains("Access denied"))
            #expect(cookies["_forward_auth"] == nil)
            let samples = try await harness.scrape()
            #expect(samples.value("forward_auth_logins_total", ["result": "denied", "claim": ""]) == 1)
        }
    }
}
