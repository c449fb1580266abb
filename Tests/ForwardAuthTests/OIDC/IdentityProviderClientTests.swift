import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC

/// `OIDCClient` as the login flow sees it (`IdentityProviderClient`): errors mapped to `LoginError` kinds.
@Suite struct IdentityProviderClientTests {
    let seconds = Int64(OIDCFixture.now.timeIntervalSince1970)

    func provider() async throws -> (OIDCFixture, TestSigningKey) {
        let fixture = OIDCFixture()
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        return (fixture, key)
    }

    @Test func callbackTokenBecomesAnIdentity() async throws {
        let (fixture, key) = try await provider()
        let client: any IdentityProviderClient = fixture.client
        let token = try await key.sign(OIDCFixture.claims())
        let identity = try await client.verifyCallbackToken(token, nonce: "nonce-123", now: seconds)
        #expect(identity.email == "alice@example.com")
        #expect(identity.displayName == "Alice Example")
        #expect(identity.groups == ["devs", "ops"])
        // Every claim comes along, for claim-header mappings.
        #expect(identity.claims["sub"] == .string("CiQwOGE4Njg0Yi1kYjg4"))
    }

    @Test(arguments: [
        (#"email"#, LoginError.Kind.missingEmail),
        ("email_verified", .missingEmail),
        ("nonce", .invalidToken),
        ("iss", .invalidToken),
    ])
    func refusalsMapToLoginErrorKinds(_ broken: String, _ kind: LoginError.Kind) async throws {
        let (fixture, key) = try await provider()
        let token = try await key.sign(
            OIDCFixture.claims { claims in
                switch broken {
                case "email": claims["email"] = nil
                case "email_verified": claims["email_verified"] = .bool(false)
                case "nonce": claims["nonce"] = .string("other")
                default: claims["iss"] = .string("https://evil.example.com")
                }
            })
        do {
            _ = try await fixture.client.verifyCallbackToken(token, nonce: "nonce-123", now: seconds)
            Issue.record("accepted a broken token")
        } catch {
            #expect(error.kind == kind)
            #expect(!error.description.contains(token))
        }
    }

    @Test func providerTroubleIsUnavailable() async throws {
        let fixture = OIDCFixture()
        let token = try await TestSigningKey.rsa().sign(OIDCFixture.claims())
        await #expect(throws: LoginError.self) {
            try await fixture.client.verifyCallbackToken(token, nonce: "nonce-123", now: seconds)
        }
        do {
            _ = try await fixture.client.redeem(
                code: "c", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth")
        } catch {
            #expect(error.kind == .providerUnavailable)
        }
        do {
            _ = try await fixture.client.verifyCallbackToken(token, nonce: "nonce-123", now: seconds)
        } catch {
            #expect(error.kind == .providerUnavailable)
        }
        #expect(await fixture.client.endSessionEndpoint() == nil)
    }
}
