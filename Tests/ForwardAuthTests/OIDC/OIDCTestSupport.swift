import Crypto
import Foundation
import JWTKit
import Synchronization
import Testing
import _CryptoExtras

@testable import ForwardAuth
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// An in-memory identity provider for the OIDC client: answers by URL, records every request.
final class FakeOIDCTransport: HTTPTransport {
    struct State: Sendable {
        var routes: [String: OutboundResponse] = [:]
        var requests: [OutboundRequest] = []
        var failing: Set<String> = []
    }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    let state = Mutex(State())

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let url = request.url.absoluteString
        let (response, failing) = state.withLock { state in
            state.requests.append(request)
            return (state.routes[url], state.failing.contains(url))
        }
        if failing { throw Unreachable() }
        return response ?? OutboundResponse(status: 404, body: Array("not found".utf8))
    }

    func route(_ url: String, status: Int = 200, json: String) {
        state.withLock { $0.routes[url] = OutboundResponse(status: status, body: Array(json.utf8)) }
    }

    func setFailing(_ url: String, _ failing: Bool = true) {
        state.withLock { state in
            if failing { state.failing.insert(url) } else { state.failing.remove(url) }
        }
    }

    func count(_ url: String) -> Int {
        state.withLock { $0.requests.filter { $0.url.absoluteString == url }.count }
    }

    var requests: [OutboundRequest] { state.withLock { $0.requests } }
}

/// A key the fake provider signs with, and its public JWK as JSON text.
struct TestSigningKey: Sendable {
    let kid: String?
    let jwk: String
    let signer: JWTKeyCollection

    /// A 2048-bit RSA key (RS256). Generated once per process: key generation is slow in debug builds.
    static func rsa(kid: String? = "rsa-1") async throws -> TestSigningKey {
        try await rsa(kid: kid, key: rsaKeys.get().0)
    }

    /// A second, unrelated RSA key.
    static func otherRSA(kid: String? = "rsa-1") async throws -> TestSigningKey {
        try await rsa(kid: kid, key: rsaKeys.get().1)
    }

    static func rsa(kid: String?, key: _RSA.Signing.PrivateKey) async throws -> TestSigningKey {
        let primitives = try key.publicKey.getKeyPrimitives()
        var jwk =
            #"{"kty":"RSA","use":"sig","alg":"RS256","n":"\#(Base64URL.encode(Array(primitives.modulus)))","e":"\#(Base64URL.encode(Array(primitives.publicExponent)))""#
        if let kid { jwk += #","kid":"\#(kid)""# }
        jwk += "}"
        let signer = await JWTKeyCollection().add(
            rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256,
            kid: kid.map { JWKIdentifier(string: $0) })
        return TestSigningKey(kid: kid, jwk: jwk, signer: signer)
    }

    /// A fresh P-256 key (ES256); the JWK states no `alg`, as some providers do.
    static func ec(kid: String? = "ec-1") async throws -> TestSigningKey {
        let key = ES256PrivateKey()
        let parameters = try #require(key.parameters)
        var jwk = #"{"kty":"EC","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)""#
        if let kid { jwk += #","kid":"\#(kid)""# }
        jwk += "}"
        let signer = await JWTKeyCollection().add(ecdsa: key, kid: kid.map { JWKIdentifier(string: $0) })
        return TestSigningKey(kid: kid, jwk: jwk, signer: signer)
    }

    /// Signs the claims; the header names this key's `kid` unless `includeKid` is false.
    func sign(_ claims: [String: ClaimValue], includeKid: Bool = true) async throws -> String {
        try await signer.sign(
            IDTokenPayload(claims: claims), kid: includeKid ? kid.map { JWKIdentifier(string: $0) } : nil)
    }

    private static let rsaKeys = Result {
        (try _RSA.Signing.PrivateKey(keySize: .bits2048), try _RSA.Signing.PrivateKey(keySize: .bits2048))
    }
}

/// One provider setup for a test: issuer `https://dex.example.com/dex`, client `forward-auth`, and a clock.
struct OIDCFixture {
    static let issuer = "https://dex.example.com/dex"
    static let discoveryURL = issuer + "/.well-known/openid-configuration"
    static let jwksURL = issuer + "/keys"
    static let tokenURL = issuer + "/token"
    static let clientID = "forward-auth"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    let transport = FakeOIDCTransport()
    let client: OIDCClient

    init(
        settings: OIDCClientSettings = OIDCClientSettings(
            issuer: OIDCFixture.issuer, clientID: OIDCFixture.clientID, clientSecret: Secret("s3cr+t%:with&odd chars"))
    ) {
        client = OIDCClient(settings: settings, transport: transport)
        serveDiscovery()
    }

    func serveDiscovery(issuer: String = OIDCFixture.issuer, extra: String = "") {
        transport.route(
            Self.discoveryURL,
            json: """
                {"issuer":"\(issuer)","authorization_endpoint":"\(Self.issuer)/auth","token_endpoint":"\(Self.tokenURL)",\
                "jwks_uri":"\(Self.jwksURL)","response_types_supported":["code"]\(extra)}
                """)
    }

    func serveKeys(_ keys: [TestSigningKey], extraJWKs: [String] = []) {
        transport.route(Self.jwksURL, json: #"{"keys":[\#((keys.map(\.jwk) + extraJWKs).joined(separator: ","))]}"#)
    }

    /// Serves the keys and loads discovery and JWKS at `now`.
    func load(_ keys: [TestSigningKey], at now: Date = OIDCFixture.now) async throws {
        serveKeys(keys)
        try await client.load(now: now)
    }

    /// Claims that pass every rule at `now`; change what a test is about.
    static func claims(now: Date = OIDCFixture.now, _ change: (inout [String: ClaimValue]) -> Void = { _ in })
        -> [String: ClaimValue]
    {
        let seconds = Int64(now.timeIntervalSince1970)
        var claims: [String: ClaimValue] = [
            "iss": .string(issuer), "sub": .string("CiQwOGE4Njg0Yi1kYjg4"), "aud": .string(clientID),
            "exp": .integer(seconds + 600), "iat": .integer(seconds), "nonce": .string("nonce-123"),
            "email": .string("alice@example.com"), "email_verified": .bool(true), "name": .string("Alice Example"),
            "groups": .array([.string("devs"), .string("ops")]),
        ]
        change(&claims)
        return claims
    }
}

/// Bytes from a fixed pattern, so verifiers are predictable; by default every value 0…255 in turn.
struct PatternRandom: RandomSource {
    var byte: UInt8?

    func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { byte ?? UInt8(truncatingIfNeeded: $0 * 37) }
    }
}
