import Foundation
import JWTKit
import Testing
import _CryptoExtras

@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// Signature, key and algorithm checks of `OIDCClient.verify` / `verifyCached`, with real keys and a fake
/// provider.
@Suite struct OIDCClientVerificationTests {
    let fixture = OIDCFixture()
    var client: OIDCClient { fixture.client }
    let now = OIDCFixture.now

    func verify(_ token: String, at time: Date? = nil, policy: AudiencePolicy = .callback) async throws(IDTokenError)
        -> IDTokenClaims
    {
        try await client.verify(idToken: token, expectedNonce: "nonce-123", policy: policy, now: time ?? now)
    }

    @Test func rs256TokenVerifies() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.sign(OIDCFixture.claims())
        #expect(try await verify(token).email == "alice@example.com")
        #expect(
            try await client.verifyCached(idToken: token, policy: .bearer(trustedAudiences: []), now: now).groups == [
                "devs", "ops",
            ])
    }

    @Test func es256TokenVerifiesWithAJWKThatStatesNoAlgorithm() async throws {
        let rsa = try await TestSigningKey.rsa()
        let ec = try await TestSigningKey.ec()
        try await fixture.load([rsa, ec])
        #expect(try await verify(try await ec.sign(OIDCFixture.claims())).subject == "CiQwOGE4Njg0Yi1kYjg4")
        #expect(await client.status.keyCount == 2)
    }

    /// A token our provider's key really signed, but for another issuer (a look-alike URL serving the same
    /// public keys): the signature is fine, the issuer is not.
    @Test func lookAlikeIssuerWithTheSameKeysIsRefused() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        for issuer in [
            "https://dex.example.com.evil.net/dex", "https://dex.example.com/dex/", "https://DEX.example.com/dex",
        ] {
            let token = try await key.sign(OIDCFixture.claims { $0["iss"] = .string(issuer) })
            await #expect(throws: IDTokenError.issuerMismatch) { try await verify(token) }
        }
    }

    @Test func tokenSignedWithAnotherKeyUnderTheSameKidIsRefused() async throws {
        try await fixture.load([try await TestSigningKey.rsa()])
        let forged = try await TestSigningKey.otherRSA(kid: "rsa-1").sign(OIDCFixture.claims())
        await #expect(throws: IDTokenError.signatureInvalid) { try await verify(forged) }
    }

    @Test func tamperedPayloadIsRefused() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let parts = try await key.sign(OIDCFixture.claims()).split(separator: ".").map(String.init)
        let admin = try await key.sign(OIDCFixture.claims { $0["groups"] = .string("admins") }).split(separator: ".")
        let tampered = [parts[0], String(admin[1]), parts[2]].joined(separator: ".")
        await #expect(throws: IDTokenError.signatureInvalid) { try await verify(tampered) }
    }

    /// The signature is checked before the payload is decoded (issue 15): a forged token's payload, here not even
    /// JSON, is never read; JWTKit's parser decoded it just to hand back the header, so this was `malformedToken`.
    @Test(arguments: ["not json", "[[[[[[[[[[[[[[[[[[[[", "{\"email\":\"mallory@example.com\""])
    func aForgedPayloadIsNeverDecoded(payload: String) async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let parts = try await key.sign(OIDCFixture.claims()).split(separator: ".").map(String.init)
        let encoded = Data(payload.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let forged = [parts[0], encoded, parts[2]].joined(separator: ".")
        await #expect(throws: IDTokenError.signatureInvalid) { try await verify(forged) }
        await #expect(throws: IDTokenError.signatureInvalid) {
            try await client.verifyCached(idToken: forged, policy: .bearer(trustedAudiences: []), now: now)
        }
    }

    /// Each part is unpadded base64url (RFC 7515): the same token with padding or the other alphabet is refused.
    @Test func onlyOneSpellingOfEachPartVerifies() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.sign(OIDCFixture.claims())
        #expect(try await verify(token).email == "alice@example.com")
        let parts = token.split(separator: ".").map(String.init)
        let padded = parts[2] + String(repeating: "=", count: (4 - parts[2].count % 4) % 4)
        if padded != parts[2] {
            await #expect(throws: IDTokenError.self) {
                try await verify([parts[0], parts[1], padded].joined(separator: "."))
            }
        }
        await #expect(throws: IDTokenError.malformedToken) { try await verify(token + ".x") }
        await #expect(throws: IDTokenError.algorithmNotAllowed) { try await verify("e30." + parts[1] + "." + parts[2]) }
    }

    @Test func unknownKidRefetchesOnceThenRefusesAndIsRateLimited() async throws {
        try await fixture.load([try await TestSigningKey.rsa()])
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 1)
        let stranger = try await TestSigningKey.otherRSA(kid: "rsa-2")

        let first = try await stranger.sign(OIDCFixture.claims(now: now + 60))
        await #expect(throws: IDTokenError.unknownKeyIdentifier) { try await verify(first, at: now + 60) }
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 2, "one refetch for the unknown kid")

        // Another unknown kid 4.8 s after that refetch: the callback waits out the 5 s interval, then fetches
        // once more (a rotation just after a fetch must not fail a login) and still refuses the stranger.
        let started = ContinuousClock.now
        let second = try await TestSigningKey.otherRSA(kid: "rsa-3").sign(OIDCFixture.claims(now: now + 60))
        await #expect(throws: IDTokenError.unknownKeyIdentifier) { try await verify(second, at: now + 64.8) }
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 3)

        // Bearer tokens never wait: within the interval an unknown kid is refused without a fetch.
        await #expect(throws: IDTokenError.unknownKeyIdentifier) {
            try await client.verifyCached(idToken: second, policy: .callback, now: now + 66)
        }
        await client.waitForScheduledKeyRefetch()
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 3)
    }

    @Test func rotationUsesTheNewKeyAndDropsTheOldOne() async throws {
        let old = try await TestSigningKey.rsa(kid: "rsa-1")
        let new = try await TestSigningKey.otherRSA(kid: "rsa-2")
        try await fixture.load([old])
        let oldToken = try await old.sign(OIDCFixture.claims(now: now + 60))
        _ = try await verify(oldToken, at: now + 60)

        fixture.serveKeys([new])
        let newToken = try await new.sign(OIDCFixture.claims(now: now + 60))
        #expect(try await verify(newToken, at: now + 60).email == "alice@example.com")
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 2)
        #expect(await client.status.keyCount == 1)
        await #expect(throws: IDTokenError.unknownKeyIdentifier) { try await verify(oldToken, at: now + 61) }
    }

    /// The Bearer path never waits for the network: an unknown kid is refused at once and a refetch is
    /// scheduled in the background; the next request with that key passes.
    @Test func cachedVerificationNeverFetchesButSchedulesARefetch() async throws {
        let old = try await TestSigningKey.rsa(kid: "rsa-1")
        let new = try await TestSigningKey.otherRSA(kid: "rsa-2")
        try await fixture.load([old])
        fixture.serveKeys([new])
        let token = try await new.sign(OIDCFixture.claims(now: now + 60))
        let bearer = AudiencePolicy.bearer(trustedAudiences: [])

        await #expect(throws: IDTokenError.unknownKeyIdentifier) {
            try await client.verifyCached(idToken: token, policy: bearer, now: now + 60)
        }
        await client.waitForScheduledKeyRefetch()
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 2)
        #expect(
            try await client.verifyCached(idToken: token, policy: bearer, now: now + 61).email == "alice@example.com")

        // Within the interval, unknown kids schedule nothing.
        let stranger = try await TestSigningKey.rsa(kid: "rsa-9").sign(OIDCFixture.claims(now: now + 62))
        await #expect(throws: IDTokenError.unknownKeyIdentifier) {
            try await client.verifyCached(idToken: stranger, policy: bearer, now: now + 62)
        }
        await client.waitForScheduledKeyRefetch()
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 2)
    }

    @Test func cachedVerificationWithoutKeysIsUnavailable() async throws {
        let token = try await TestSigningKey.rsa().sign(OIDCFixture.claims())
        await #expect(throws: IDTokenError.keysUnavailable) {
            try await client.verifyCached(idToken: token, policy: .bearer(trustedAudiences: []), now: now)
        }
        #expect(fixture.transport.requests.isEmpty)
    }

    @Test func algNoneIsRefused() async throws {
        try await fixture.load([try await TestSigningKey.rsa()])
        // Claims that would pass every rule: only the algorithm is wrong.
        let payload = Base64URL.encode(Array(try JSONEncoder().encode(IDTokenPayload(claims: OIDCFixture.claims()))))
        for header in [
            #"{"alg":"none","kid":"rsa-1"}"#, #"{"alg":"none"}"#, #"{"alg":"None","kid":"rsa-1"}"#, #"{"kid":"rsa-1"}"#,
        ] {
            let token = Base64URL.encode(Array(header.utf8)) + "." + payload + "."
            await #expect(throws: IDTokenError.algorithmNotAllowed, "\(header)") { try await verify(token) }
        }
    }

    /// The classic confusion attack: HS256 with the provider's public key as the HMAC secret.
    @Test func hs256SignedWithThePublicKeyIsRefused() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let publicKey = try Insecure.RSA.PublicKey(pem: try servedPublicKeyPEM(key))
        for secret in [
            Array(publicKey.pemRepresentation.utf8), Array(publicKey.derRepresentation), Array(key.jwk.utf8),
        ] {
            let hmac = await JWTKeyCollection().add(
                hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: "rsa-1"))
            let token = try await hmac.sign(
                IDTokenPayload(claims: OIDCFixture.claims()), kid: JWKIdentifier(string: "rsa-1"))
            await #expect(throws: IDTokenError.algorithmNotAllowed) { try await verify(token) }
        }
    }

    @Test func tokenWithoutKidNeedsAJWKSOfExactlyOneKey() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.sign(OIDCFixture.claims(), includeKid: false)
        #expect(try await verify(token).email == "alice@example.com")

        fixture.serveKeys([key, try await TestSigningKey.ec()])
        try await client.load(now: now + 600)
        await #expect(throws: IDTokenError.missingKeyIdentifier) { try await verify(token, at: now + 600) }
    }

    @Test func aJWKWithoutKidIsUsableWhenItIsTheOnlyKey() async throws {
        let key = try await TestSigningKey.rsa(kid: nil)
        try await fixture.load([key])
        #expect(try await verify(try await key.sign(OIDCFixture.claims())).email == "alice@example.com")
    }

    @Test func algorithmMustBeTheOneTheKeyIsFor() async throws {
        let ec = try await TestSigningKey.ec(kid: "ec-1")
        try await fixture.load([ec])
        // RS256 under the EC key's kid (signed with an RSA key): refused before any signature math.
        let rsaUnderECKid = try await TestSigningKey.rsa(kid: "ec-1").sign(OIDCFixture.claims())
        await #expect(throws: IDTokenError.algorithmMismatch) { try await verify(rsaUnderECKid) }
    }

    @Test func symmetricAndEncryptionKeysInTheJWKSAreIgnored() async throws {
        let key = try await TestSigningKey.rsa()
        fixture.serveKeys(
            [key],
            extraJWKs: [
                #"{"kty":"oct","kid":"hmac-1","alg":"HS256","k":"c2VjcmV0"}"#,
                key.jwk.replacingOccurrences(of: #""kid":"rsa-1""#, with: #""kid":"enc-1""#)
                    .replacingOccurrences(of: #""use":"sig""#, with: #""use":"enc""#),
                #"{"kty":"EC","crv":"P-999","kid":"weird","x":"AA","y":"AA"}"#,
            ])
        try await client.load(now: now)
        #expect(await client.status.keyCount == 1)
        let underEncKid = try await TestSigningKey.rsa(kid: "enc-1").sign(OIDCFixture.claims())
        await #expect(throws: IDTokenError.unknownKeyIdentifier) { try await verify(underEncKid) }
    }

    /// (A well-formed header over a payload that is not JSON is refused for its signature: `aForgedPayloadIsNeverDecoded`.)
    @Test(arguments: [
        "", "abc", "a.b", "a.b.c.d", "!!!.@@@.###", "bm90LWpzb24.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9=.e30.c2ln",
    ])
    func malformedTokensAreRefused(_ token: String) async throws {
        try await fixture.load([try await TestSigningKey.rsa()])
        await #expect(throws: IDTokenError.malformedToken) { try await verify(token) }
    }

    @Test func criticalHeaderExtensionsAreRefused() async throws {
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        let token = try await key.signer.sign(
            IDTokenPayload(claims: OIDCFixture.claims()), kid: JWKIdentifier(string: "rsa-1"),
            header: ["crit": .array([.string("exp")]), "exp": .int(1)])
        await #expect(throws: IDTokenError.criticalHeaderUnsupported) { try await verify(token) }
    }

    /// A callback may arrive before the loader's first JWKS fetch succeeded: `verify` tries once itself.
    @Test func verifyLoadsKeysWhenNoneAreLoadedYet() async throws {
        let key = try await TestSigningKey.rsa()
        fixture.transport.setFailing(OIDCFixture.jwksURL)
        fixture.serveKeys([key])
        await #expect(throws: OIDCError.transportFailed) { try await client.load(now: now) }
        fixture.transport.setFailing(OIDCFixture.jwksURL, false)
        #expect(
            try await verify(try await key.sign(OIDCFixture.claims(now: now + 40)), at: now + 40).email
                == "alice@example.com")
    }

    private func servedPublicKeyPEM(_ key: TestSigningKey) throws -> String {
        // The served JWK's n and e, as a PEM public key: exactly what an attacker can download.
        let jwk = try JWK(json: key.jwk)
        let publicKey = try Insecure.RSA.PublicKey(
            modulus: try #require(jwk.modulus), exponent: try #require(jwk.exponent))
        return publicKey.pemRepresentation
    }
}
