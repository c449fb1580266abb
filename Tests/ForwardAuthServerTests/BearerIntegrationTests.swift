import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import Testing

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
