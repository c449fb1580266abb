import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC

/// The URL that starts a login, and PKCE.
@Suite struct AuthorizationURLTests {
    static let metadata = ProviderMetadata(
        issuer: OIDCFixture.issuer, authorizationEndpoint: "https://dex.example.com/dex/auth",
        tokenEndpoint: OIDCFixture.tokenURL, jwksURI: OIDCFixture.jwksURL)

    func queryItems(_ url: String) throws -> [String: String] {
        let components = try #require(URLComponents(string: url))
        var items: [String: String] = [:]
        // Form encoding turns spaces into `+`; URLComponents leaves `+` alone.
        for item in components.percentEncodedQueryItems ?? [] {
            items[item.name] = item.value?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return items
    }

    @Test func carriesEveryParameterEncoded() throws {
        let url = Self.metadata.authorizationURL(
            clientID: "forward-auth", state: "st&te=1", nonce: "n+nce",
            codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            redirectURI: "https://auth.example.com/_oauth", scopes: ["openid", "profile", "email", "groups"])
        #expect(url.hasPrefix("https://dex.example.com/dex/auth?response_type=code&client_id=forward-auth&"))
        #expect(url.contains("&scope=openid+profile+email+groups&"))
        #expect(url.contains("&state=st%26te%3D1&"))
        #expect(
            try queryItems(url) == [
                "response_type": "code", "client_id": "forward-auth", "redirect_uri": "https://auth.example.com/_oauth",
                "scope": "openid profile email groups", "state": "st&te=1", "nonce": "n+nce",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
            ])
    }

    @Test func keepsAQueryAlreadyInTheEndpoint() throws {
        var metadata = Self.metadata
        metadata.authorizationEndpoint = "https://login.example.com/authorize?connector_id=ldap"
        let url = metadata.authorizationURL(
            clientID: "c", state: "s", nonce: "n", codeChallenge: "x", redirectURI: "https://a.example.com/_oauth",
            scopes: ["openid"])
        #expect(url.hasPrefix("https://login.example.com/authorize?connector_id=ldap&response_type=code&"))
        #expect(try queryItems(url)["connector_id"] == "ldap")
    }

    @Test func clientBuildsItOnlyOnceDiscoveryLoaded() async throws {
        let fixture = OIDCFixture()
        #expect(
            fixture.client.authorizationURL(state: "s", nonce: "n", codeChallenge: "c", redirectURI: "https://a/_oauth")
                == nil)
        try await fixture.load([try await TestSigningKey.rsa()])
        let url = try #require(
            fixture.client.authorizationURL(
                state: "s", nonce: "n", codeChallenge: "c", redirectURI: "https://a.example.com/_oauth"))
        #expect(try queryItems(url)["scope"] == fixture.client.settings.scopes.joined(separator: " "))
        #expect(url.hasPrefix("https://dex.example.com/dex/auth?"))
    }

    /// RFC 7636 Appendix B.
    @Test func challengeMatchesTheRFCExample() {
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test(arguments: [(32, 43), (0, 43), (64, 86), (96, 128), (500, 128)])
    func verifierHasAnAllowedLengthAndAlphabet(_ byteCount: Int, _ length: Int) {
        let verifier = PKCE.makeVerifier(random: PatternRandom(), byteCount: byteCount)
        #expect(verifier.count == length)
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(verifier.allSatisfy(unreserved.contains))
    }

    @Test func verifierComesFromTheRandomSource() {
        #expect(PKCE.makeVerifier(random: PatternRandom(byte: 0)) == String(repeating: "A", count: 43))
        #expect(PKCE.makeVerifier(random: PatternRandom(byte: 0xFF)).hasPrefix("____"))
    }
}
