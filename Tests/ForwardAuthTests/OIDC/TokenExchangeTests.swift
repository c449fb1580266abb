import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// The token request (`client_secret_basic`, PKCE) and the reading of the token endpoint's answer.
@Suite struct TokenExchangeTests {
    let now = OIDCFixture.now
    static let endpoint = URL(string: OIDCFixture.tokenURL)!

    /// RFC 6749 §2.3.1: each part form-encoded, then `id:secret` base64-encoded.
    @Test(arguments: [
        ("forward-auth", "s3cr+t%:with&odd chars", "forward-auth:s3cr%2Bt%25%3Awith%26odd+chars"),
        ("client:id", "plain", "client%3Aid:plain"),
        ("forward-auth", "é/=~!", "forward-auth:%C3%A9%2F%3D%7E%21"),
        ("a.b-c_d*", "", "a.b-c_d*:"),
    ])
    func basicAuthorizationFormEncodesBeforeBase64(_ id: String, _ secret: String, _ expected: String) throws {
        let header = TokenExchange.basicAuthorization(clientID: id, clientSecret: Secret(secret))
        #expect(header == "Basic " + Data(expected.utf8).base64EncodedString())
    }

    @Test func tokenRequestCarriesTheGrantAndPKCEVerifier() throws {
        let request = TokenExchange.request(
            endpoint: Self.endpoint, clientID: "forward-auth", clientSecret: Secret("s3cr+t%:with&odd chars"),
            code: "code/with+plus", codeVerifier: "verifier-abc", redirectURI: "https://auth.example.com/_oauth?x=1")
        #expect(request.method == "POST")
        #expect(request.url == Self.endpoint)
        #expect(request.header("content-type") == "application/x-www-form-urlencoded")
        #expect(request.header("accept") == "application/json")
        let credentials = try #require(request.header("Authorization")?.dropFirst("Basic ".count))
        let decoded = String(decoding: try #require(Data(base64Encoded: String(credentials))), as: UTF8.self)
        #expect(decoded == "forward-auth:s3cr%2Bt%25%3Awith%26odd+chars")
        let body = String(decoding: try #require(request.body), as: UTF8.self)
        #expect(
            body == "grant_type=authorization_code&code=code%2Fwith%2Bplus"
                + "&redirect_uri=https%3A%2F%2Fauth.example.com%2F_oauth%3Fx%3D1&code_verifier=verifier-abc")
        #expect(!body.contains("s3cr"), "the secret goes in the header only")
    }

    @Test func successfulResponseIsRead() throws {
        let json =
            #"{"access_token":"at-1","token_type":"bearer","expires_in":"3600","id_token":"h.p.s","refresh_token":"rt-1"}"#
        let response = try TokenExchange.response(OutboundResponse(status: 200, body: Array(json.utf8)))
        #expect(
            response
                == TokenResponse(
                    idToken: "h.p.s", accessToken: "at-1", tokenType: "bearer", expiresIn: 3600, refreshToken: "rt-1"))
        #expect(
            !response.description.contains("h.p.s") && !response.description.contains("at-1")
                && !response.description.contains("rt-1"))
    }

    @Test(arguments: [
        (#"{"access_token":"at-1","token_type":"bearer"}"#, OIDCError.missingIDToken),
        (#"{"id_token":""}"#, .missingIDToken),
        (#"{"id_token":42}"#, .invalidTokenResponse),
        ("not json", .invalidTokenResponse),
    ])
    func unusableSuccessfulResponsesAreRefused(_ json: String, _ expected: OIDCError) {
        #expect(throws: expected) { try TokenExchange.response(OutboundResponse(status: 200, body: Array(json.utf8))) }
    }

    /// An error answer says status and OAuth error code; nothing else of the body reaches the log.
    @Test(arguments: [
        (
            400,
            #"{"error":"invalid_grant","error_description":"Invalid or expired code parameter.","id_token":"leaked.token.value"}"#,
            ["400", "invalid_grant", "Invalid or expired code"]
        ),
        (401, #"{"error":"invalid_client"}"#, ["401", "invalid_client"]),
        (500, "<html>id_token=leaked.token.value</html>", ["500"]),
    ])
    func errorResponsesCarryStatusAndOAuthCode(_ status: Int, _ body: String, _ mentioned: [String]) {
        do {
            _ = try TokenExchange.response(OutboundResponse(status: status, body: Array(body.utf8)))
            Issue.record("accepted an error answer")
        } catch {
            #expect(error == .tokenEndpointError)
            for text in mentioned { #expect(error.description.contains(text)) }
            #expect(!error.description.contains("leaked.token.value"))
        }
    }

    @Test func oversizedResponseIsRefused() {
        let body =
            Array(#"{"id_token":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 256 << 10) + Array(#""}"#.utf8)
        #expect(throws: OIDCError.responseTooLarge) {
            try TokenExchange.response(OutboundResponse(status: 200, body: body))
        }
    }

    @Test func clientExchangesAtTheDiscoveredEndpoint() async throws {
        let fixture = OIDCFixture()
        await #expect(throws: OIDCError.notLoaded) {
            try await fixture.client.exchange(code: "c", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth")
        }
        try await fixture.load([try await TestSigningKey.rsa()])
        fixture.transport.route(OIDCFixture.tokenURL, json: #"{"id_token":"h.p.s","token_type":"bearer"}"#)
        let response = try await fixture.client.exchange(
            code: "c", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth")
        #expect(response.idToken == "h.p.s")
        let request = try #require(fixture.transport.requests.last)
        #expect(request.url.absoluteString == OIDCFixture.tokenURL)
        #expect(
            request.header("Authorization")
                == TokenExchange.basicAuthorization(
                    clientID: "forward-auth", clientSecret: Secret("s3cr+t%:with&odd chars")))

        fixture.transport.route(OIDCFixture.tokenURL, status: 400, json: #"{"error":"invalid_grant"}"#)
        await #expect(throws: OIDCError.tokenEndpointError) {
            try await fixture.client.exchange(code: "c", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth")
        }
        fixture.transport.setFailing(OIDCFixture.tokenURL)
        await #expect(throws: OIDCError.transportFailed) {
            try await fixture.client.exchange(code: "c", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth")
        }
        #expect(await fixture.client.status.failures == 0, "token endpoint refusals are not provider health")
    }

    @Test(arguments: [
        ("abc", "abc"),
        ("a b", "a+b"),
        ("a+b&c=d", "a%2Bb%26c%3Dd"),
        ("~!'()", "%7E%21%27%28%29"),
        ("*-._", "*-._"),
        ("ü", "%C3%BC"),
    ])
    func formEncoding(_ text: String, _ expected: String) {
        #expect(FormURLEncoding.encode(text) == expected)
    }
}
