import Foundation
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// Discovery, JWKS loading and the status `/readyz` shows.
@Suite struct DiscoveryTests {
    let now = OIDCFixture.now

    @Test(arguments: [
        ("https://dex.example.com/dex", "https://dex.example.com/dex/.well-known/openid-configuration"),
        ("https://dex.example.com/dex/", "https://dex.example.com/dex/.well-known/openid-configuration"),
        ("https://accounts.example.com", "https://accounts.example.com/.well-known/openid-configuration"),
        ("http://127.0.0.1:5556", "http://127.0.0.1:5556/.well-known/openid-configuration"),
    ])
    func discoveryURLDropsATrailingSlash(_ issuer: String, _ expected: String) {
        #expect(ProviderMetadata.discoveryURL(issuer: issuer)?.absoluteString == expected)
    }

    @Test(arguments: ["", "dex.example.com", "ftp://dex.example.com", "https://"])
    func discoveryURLNeedsAnHTTPURL(_ issuer: String) {
        #expect(ProviderMetadata.discoveryURL(issuer: issuer) == nil)
    }

    @Test func loadReadsDiscoveryThenKeys() async throws {
        let fixture = OIDCFixture()
        fixture.serveDiscovery(extra: #","end_session_endpoint":"https://dex.example.com/dex/logout""#)
        try await fixture.load([try await TestSigningKey.rsa()])
        let metadata = try #require(await fixture.client.metadata)
        #expect(metadata.tokenEndpoint == OIDCFixture.tokenURL)
        #expect(metadata.jwksURI == OIDCFixture.jwksURL)
        #expect(metadata.endSessionEndpoint == "https://dex.example.com/dex/logout")
        let status = await fixture.client.status
        #expect(
            status
                == ProviderStatus(
                    metadataLoaded: true, keyCount: 1, keysLoadedAt: now, lastSuccessAt: now, keyFetches: 1))
        #expect(
            fixture.transport.requests.map(\.url.absoluteString) == [OIDCFixture.discoveryURL, OIDCFixture.jwksURL])
        #expect(fixture.transport.requests.allSatisfy { $0.method == "GET" && $0.responseBodyLimit == 512 << 10 })
    }

    @Test func issuerMismatchNamesBothValues() async throws {
        let fixture = OIDCFixture()
        fixture.serveDiscovery(issuer: "https://login.example.com/dex")
        fixture.serveKeys([try await TestSigningKey.rsa()])
        do {
            try await fixture.client.load(now: now)
            Issue.record("loaded a document for another issuer")
        } catch {
            #expect(error == .issuerMismatch)
            #expect(error.description.contains("https://login.example.com/dex"))
            #expect(error.description.contains(OIDCFixture.issuer))
        }
        let status = await fixture.client.status
        #expect(!status.metadataLoaded && !status.keysLoaded)
        #expect(status.lastError?.contains("https://login.example.com/dex") == true)
        #expect(status.lastErrorAt == now)
        #expect(fixture.transport.count(OIDCFixture.jwksURL) == 0, "keys of an unverified issuer are never fetched")
    }

    /// provider-uri `…/dex/` finds Dex (whose issuer has no slash) but is not silently accepted as its issuer.
    @Test func trailingSlashInProviderURIIsReportedWithAHint() async throws {
        let fixture = OIDCFixture(
            settings: OIDCClientSettings(
                issuer: OIDCFixture.issuer + "/", clientID: "forward-auth", clientSecret: Secret("x")))
        await #expect(throws: OIDCError.issuerMismatch) { try await fixture.client.load(now: now) }
        #expect(fixture.transport.count(OIDCFixture.discoveryURL) == 1)
        #expect(await fixture.client.status.lastError?.contains("remove the trailing '/'") == true)
    }

    @Test(arguments: [
        (
            #"{"issuer":"https://dex.example.com/dex","authorization_endpoint":"https://dex.example.com/dex/auth","token_endpoint":"https://dex.example.com/dex/token"}"#,
            "jwks_uri"
        ),
        (
            #"{"issuer":"https://dex.example.com/dex","authorization_endpoint":"https://dex.example.com/dex/auth","token_endpoint":"https://dex.example.com/dex/token","jwks_uri":"javascript:alert(1)"}"#,
            "jwks_uri"
        ),
        (#"{"issuer":42}"#, "issuer"),
        ("[]", "JSON"),
    ])
    func invalidDiscoveryDocumentsAreRefused(_ document: String, _ mentioned: String) {
        #expect(throws: OIDCError.invalidDiscoveryDocument) {
            try ProviderMetadata.decode(Array(document.utf8), expectedIssuer: OIDCFixture.issuer)
        }
        do {
            _ = try ProviderMetadata.decode(Array(document.utf8), expectedIssuer: OIDCFixture.issuer)
        } catch {
            #expect(error.description.contains(mentioned))
        }
    }

    @Test func providerFailuresAreRecordedAndMapped() async throws {
        let fixture = OIDCFixture()
        fixture.transport.setFailing(OIDCFixture.discoveryURL)
        await #expect(throws: OIDCError.transportFailed) { try await fixture.client.load(now: now) }

        fixture.transport.setFailing(OIDCFixture.discoveryURL, false)
        fixture.transport.route(OIDCFixture.discoveryURL, status: 503, json: "{}")
        await #expect(throws: OIDCError.unexpectedStatus) { try await fixture.client.load(now: now + 1) }

        fixture.serveDiscovery()
        fixture.transport.route(OIDCFixture.jwksURL, json: #"{"keys":[]}"#)
        await #expect(throws: OIDCError.noUsableKeys) { try await fixture.client.load(now: now + 2) }

        fixture.transport.route(OIDCFixture.jwksURL, json: "<html>")
        await #expect(throws: OIDCError.invalidKeySet) { try await fixture.client.load(now: now + 3) }

        let status = await fixture.client.status
        #expect(status.failures == 4)
        #expect(status.metadataLoaded && !status.keysLoaded)
        #expect(status.lastErrorAt == now + 3)
        #expect(status.lastSuccessAt == nil)
    }

    @Test func oversizedAnswersAreRefused() async throws {
        let fixture = OIDCFixture()
        fixture.transport.route(OIDCFixture.discoveryURL, json: String(repeating: " ", count: (512 << 10) + 1))
        await #expect(throws: OIDCError.responseTooLarge) { try await fixture.client.load(now: now) }
    }

    /// A provider outage after a good load keeps the loaded document and keys: sessions and Bearer tokens
    /// still verify, and `/readyz` shows the error.
    @Test func outageKeepsWhatWasLoaded() async throws {
        let fixture = OIDCFixture()
        let key = try await TestSigningKey.rsa()
        try await fixture.load([key])
        fixture.transport.setFailing(OIDCFixture.discoveryURL)
        fixture.transport.setFailing(OIDCFixture.jwksURL)
        await #expect(throws: OIDCError.transportFailed) { try await fixture.client.load(now: now + 600) }

        let token = try await key.sign(OIDCFixture.claims(now: now + 601))
        let claims = try await fixture.client.verifyCached(
            idToken: token, policy: .bearer(trustedAudiences: []), now: now + 601)
        #expect(claims.email == "alice@example.com")
        let status = await fixture.client.status
        #expect(status.metadataLoaded && status.keyCount == 1)
        #expect(status.lastSuccessAt == now && status.lastErrorAt == now + 600)
        #expect(status.lastError?.contains("connection refused") == true)
    }

    @Test func aKeyRefetchReplacesTheKeysInPlaceOfAStaleDocument() async throws {
        let fixture = OIDCFixture()
        try await fixture.load([try await TestSigningKey.rsa(kid: "rsa-1")])
        fixture.serveKeys([try await TestSigningKey.otherRSA(kid: "rsa-2"), try await TestSigningKey.ec(kid: "ec-1")])
        try await fixture.client.load(now: now + 600)
        let status = await fixture.client.status
        #expect(status.keyCount == 2 && status.keysLoadedAt == now + 600 && status.keyFetches == 2)
    }
}
