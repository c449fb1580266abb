import ForwardAuthOIDC
import ForwardAuthWire
import Foundation
import JWTKit
import _CryptoExtras

/// An OIDC client whose discovery document and JWKS (one RSA-2048 key) are loaded, and an RS256 ID token that
/// passes every rule: what a Bearer request meets on the hot path (`OIDCClient.verifyCached`, no I/O).
package struct IDTokenFixture: Sendable {
    package static let issuer = "https://dex.example.com/dex"
    package static let clientID = "forward-auth"
    package static let now = Date(timeIntervalSince1970: 1_800_000_000)

    package let client: OIDCClient
    package let token: String
    package let policy: AudiencePolicy = .bearer(trustedAudiences: ["kubectl"])

    /// Generates the key, serves discovery and JWKS from memory, loads them, and signs a Dex-like token.
    package static func make() async throws -> IDTokenFixture {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try key.publicKey.getKeyPrimitives()
        let jwk = """
            {"kty":"RSA","use":"sig","alg":"RS256","kid":"bench-1",\
            "n":"\(base64URL(primitives.modulus))","e":"\(base64URL(primitives.publicExponent))"}
            """
        let discovery = """
            {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/auth","token_endpoint":"\(issuer)/token",\
            "jwks_uri":"\(issuer)/keys","response_types_supported":["code"]}
            """
        let transport = StaticTransport(bodies: [
            issuer + "/.well-known/openid-configuration": Array(discovery.utf8),
            issuer + "/keys": Array(#"{"keys":[\#(jwk)]}"#.utf8),
        ])
        let client = OIDCClient(
            settings: OIDCClientSettings(issuer: issuer, clientID: clientID, clientSecret: Secret("bench")),
            transport: transport)
        try await client.load(now: now)

        let signer = await JWTKeyCollection().add(
            rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: "bench-1")
        let seconds = Int64(now.timeIntervalSince1970)
        let claims: [String: ClaimValue] = [
            "iss": .string(issuer), "sub": .string("CiQwOGE4Njg0Yi1kYjg4LTRiNzMtOTBhOS0zY2QxNjYxZjU0NjYSBWxvY2Fs"),
            "aud": .array([.string(clientID), .string("kubectl")]), "azp": .string("kubectl"),
            "exp": .integer(seconds + 600), "iat": .integer(seconds - 60), "at_hash": .string("8lJ2eC1nY3pYQ0k"),
            "email": .string("alice@example.com"), "email_verified": .bool(true), "name": .string("Alice Example"),
            "groups": .array(["devs", "ops", "k8s-viewers", "grafana-editors", "oncall"].map(ClaimValue.string)),
        ]
        let token = try await signer.sign(IDTokenPayload(claims: claims), kid: "bench-1")
        return IDTokenFixture(client: client, token: token)
    }

    private static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// The identity provider in memory: fixed bodies by URL, 404 otherwise.
struct StaticTransport: HTTPTransport {
    let bodies: [String: [UInt8]]

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        guard let body = bodies[request.url.absoluteString] else {
            return OutboundResponse(status: 404, body: Array("not found".utf8))
        }
        return OutboundResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }
}
