import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC

/// Bearer tokens that verified are answered again without JWTKit, for exactly as long as verifying again
/// would pass.
@Suite struct VerifiedBearerTokensTests {
    let fixture = OIDCFixture()
    var client: OIDCClient { fixture.client }
    let now = Int64(OIDCFixture.now.timeIntervalSince1970)

    @Test func aVerifiedTokenIsKnownUntilItExpires() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.sign(OIDCFixture.claims())  // exp: now + 600, leeway 60
        #expect(client.previouslyVerifiedBearerToken(token, now: now) == nil)
        let verified = try await client.verifyBearerToken(token, now: now)
        #expect(verified.email == "alice@example.com")
        #expect(client.previouslyVerifiedBearerToken(token, now: now + 1) == verified)
        #expect(client.previouslyVerifiedBearerToken(token, now: now + 659) == verified)
        #expect(client.previouslyVerifiedBearerToken(token, now: now + 660) == nil)
        // Nor before its iat (less the leeway): the clock may have been set back.
        #expect(client.previouslyVerifiedBearerToken(token, now: now - 61) == nil)
        #expect(client.previouslyVerifiedBearerToken(String(token.dropLast()), now: now + 1) == nil)
    }

    @Test func newKeysForgetEveryVerifiedToken() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.sign(OIDCFixture.claims())
        _ = try await client.verifyBearerToken(token, now: now)
        #expect(client.previouslyVerifiedBearerToken(token, now: now) != nil)
        // The provider rotates its keys: the old key may have been withdrawn, so the token is verified again.
        fixture.serveKeys([try await TestSigningKey.otherRSA(kid: "rsa-2")])
        try await client.load(now: OIDCFixture.now)
        #expect(client.previouslyVerifiedBearerToken(token, now: now) == nil)
        await #expect(throws: LoginError.self) { try await client.verifyBearerToken(token, now: now) }
        #expect(client.previouslyVerifiedBearerToken(token, now: now) == nil)
    }

    @Test func refusedTokensAreNeverKept() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let expired = try await key.sign(OIDCFixture.claims(now: OIDCFixture.now - 3600))
        let forged = try await TestSigningKey.otherRSA(kid: "rsa-1").sign(OIDCFixture.claims())
        for token in [expired, forged, "not.a.token"] {
            await #expect(throws: LoginError.self) { try await client.verifyBearerToken(token, now: now) }
            #expect(client.previouslyVerifiedBearerToken(token, now: now) == nil)
        }
        #expect(client.verifiedBearers.count == 0)
    }

    @Test func theCacheStaysWithinItsCapacity() throws {
        let cache = VerifiedTokens(capacity: 4)
        let claims = try #require(
            try? fixture.client.validator.validate(
                IDTokenPayload(claims: OIDCFixture.claims()), expectedNonce: nil, policy: .bearer(trustedAudiences: []),
                now: OIDCFixture.now))
        for index in 0..<50 { cache.remember(claims, for: "token-\(index)", keySet: 1) }
        #expect(cache.count == 4)
        #expect(cache.claims(for: "token-49", keySet: 1) == claims)
        #expect(cache.claims(for: "token-49", keySet: 2) == nil)
    }
}
