import Crypto
import ExtrasBase64
import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import NIOCore
import Synchronization
import _CryptoExtras

/// An OpenID Connect provider for integration tests, served over real HTTP on 127.0.0.1: discovery, JWKS,
/// an authorization endpoint that approves at once (no login form) and a token endpoint that checks the
/// client secret, the code, the `redirect_uri` and the PKCE verifier before it signs an RS256 ID token.
final class TestIdentityProvider: Sendable {
    struct Settings: Sendable {
        var clientID = "forward-auth"
        var clientSecret = "s3cr+t%:with&odd chars"
        var email: String? = "alice@example.com"
        var emailVerified = true
        var groups = ["devs", "ops"]
        /// Overrides the `iss` claim of issued tokens (the discovery document keeps the real issuer).
        var tokenIssuer: String?
        var audience: [String]?
        /// Every endpoint answers 503, as a provider that is down behind its load balancer.
        var unavailable = false
        /// The token endpoint waits this long before answering.
        var tokenDelay: Duration = .zero
        /// The user was removed upstream: a refresh answers 500, as Dex v2.45.1 does.
        var userRemoved = false
        /// A refresh answers 200 without an ID token (glewlwyd), so the client asks userinfo for `sub`.
        var refreshWithoutIDToken = false
        /// The `sub` of issued tokens and of userinfo.
        var subject = "opaque-subject"
        /// Seconds added to the time tokens are issued at: the provider's clock, moved with the service's.
        var clockOffset: TimeInterval = 0
    }

    /// One RS256 key: signs tokens and is published in the JWKS.
    struct SigningKey: Sendable {
        let kid: String
        let keys: JWTKeyCollection
        /// The public key as a JWK object.
        let jwk: String

        static func generate(kid: String) async throws -> SigningKey {
            let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let primitives = try privateKey.publicKey.getKeyPrimitives()
            let encode = { (data: Data) in
                Base64.encodeToString(bytes: data, options: [.base64UrlAlphabet, .omitPaddingCharacter])
            }
            let jwk =
                #"{"kty":"RSA","use":"sig","alg":"RS256","kid":"\#(kid)","n":"\#(encode(primitives.modulus))","e":"\#(encode(primitives.publicExponent))"}"#
            let keys = await JWTKeyCollection().add(
                rsa: try Insecure.RSA.PrivateKey(backing: privateKey), digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: kid))
            return SigningKey(kid: kid, keys: keys, jwk: jwk)
        }
    }

    struct Grant: Sendable {
        var nonce: String
        var codeChallenge: String
        var redirectURI: String
        /// `offline_access` was asked for: the code comes with a refresh token.
        var offline = false
    }

    struct State: Sendable {
        var port = 0
        var grants: [String: Grant] = [:]
        var settings = Settings()
        var tokenRequests = 0
        /// The `traceparent` and `tracestate` of each token request, in order (nil: none sent).
        var tokenTraceHeaders: [(traceparent: String?, tracestate: String?)] = []
        var jwksRequests = 0
        /// Dex's rules: one live refresh token per user and client, rotated on use (no reuse window); the nonce of
        /// the login it came from, which refreshed ID tokens keep.
        var liveRefreshToken: (token: String, nonce: String)?
        var refreshRequests = 0
    }

    let state = Mutex(State())
    /// The current key; `rotateKey()` replaces it (the old one leaves the JWKS at once).
    let signingKey: Mutex<SigningKey>

    init() async throws {
        signingKey = Mutex(try await SigningKey.generate(kid: "test-key-1"))
    }

    /// The published key set: the current key only.
    var jwks: String { #"{"keys":["# + signingKey.withLock { $0.jwk } + "]}" }

    /// A new key signs from now on and replaces the old one in the JWKS, as a provider rotating its keys.
    func rotateKey() async throws {
        let next = signingKey.withLock { Int($0.kid.split(separator: "-").last ?? "") ?? 1 } + 1
        let key = try await SigningKey.generate(kid: "test-key-\(next)")
        signingKey.withLock { $0 = key }
    }

    var issuer: String { "http://127.0.0.1:\(state.withLock { $0.port })" }

    func update(_ change: (inout Settings) -> Void) { state.withLock { change(&$0.settings) } }

    /// The Hummingbird application; run it with `test(.live)` and read the port from the client.
    func application() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: OutageMiddleware(provider: self))
        router.get("/.well-known/openid-configuration") { _, _ in
            let issuer = self.issuer
            return Self.json(
                """
                {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/auth","token_endpoint":"\(issuer)/token","jwks_uri":"\(issuer)/keys","userinfo_endpoint":"\(issuer)/userinfo","response_types_supported":["code"],"id_token_signing_alg_values_supported":["RS256"]}
                """)
        }
        router.get("/keys") { _, _ in
            self.state.withLock { $0.jwksRequests += 1 }
            return Self.json(self.jwks)
        }
        router.get("/auth") { request, _ in
            let query = request.uri.queryParameters
            guard let redirectURI = query["redirect_uri"].map(String.init), let state = query["state"],
                let nonce = query["nonce"], let challenge = query["code_challenge"],
                query["code_challenge_method"] == "S256", query["response_type"] == "code"
            else { return Response(status: .badRequest) }
            let code = UUID().uuidString
            self.state.withLock {
                $0.grants[code] = Grant(
                    nonce: String(nonce), codeChallenge: String(challenge), redirectURI: redirectURI,
                    offline: query["scope"]?.split(whereSeparator: { $0 == " " || $0 == "+" }).contains(
                        "offline_access") ?? false)
            }
            let location = "\(redirectURI)?code=\(code)&state=\(state)"
            return Response(status: .found, headers: [.location: location])
        }
        router.get("/userinfo") { request, _ in
            guard request.headers[.authorization] == "Bearer at" else { return Response(status: .unauthorized) }
            return Self.json(#"{"sub":"\#(self.state.withLock { $0.settings.subject })"}"#)
        }
        router.post("/token") { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = Self.form(String(buffer: body))
            let traceparent = request.headers[HTTPField.Name("traceparent")!]
            let tracestate = request.headers[HTTPField.Name("tracestate")!]
            self.state.withLock { $0.tokenTraceHeaders.append((traceparent, tracestate)) }
            return try await self.token(form: form, authorization: request.headers[.authorization])
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port ?? 0 } })
    }

    private func token(form: [String: String], authorization: String?) async throws -> Response {
        let (settings, grant) = state.withLock { state -> (Settings, Grant?) in
            state.tokenRequests += 1
            return (state.settings, form["code"].flatMap { state.grants.removeValue(forKey: $0) })
        }
        if settings.tokenDelay > .zero { try await Task.sleep(for: settings.tokenDelay) }
        // client_secret_basic: each part form-encoded before base64 (RFC 6749 §2.3.1).
        let expected =
            "Basic "
            + Data((Self.formEncoded(settings.clientID) + ":" + Self.formEncoded(settings.clientSecret)).utf8)
            .base64EncodedString()
        guard authorization == expected else { return Self.oauthError(401, "invalid_client") }
        if form["grant_type"] == "refresh_token" { return try await refresh(form["refresh_token"] ?? "") }
        guard form["grant_type"] == "authorization_code", let grant, form["redirect_uri"] == grant.redirectURI,
            let verifier = form["code_verifier"],
            Base64.encodeToString(
                bytes: Array(SHA256.hash(data: Array(verifier.utf8))),
                options: [.base64UrlAlphabet, .omitPaddingCharacter]) == grant.codeChallenge
        else { return Self.oauthError(400, "invalid_grant") }
        let idToken = try await sign(claims(settings, nonce: grant.nonce))
        guard grant.offline else {
            return Self.json(#"{"access_token":"at","token_type":"Bearer","expires_in":600,"id_token":"\#(idToken)"}"#)
        }
        // A new login replaces the user's refresh token for this client, as Dex does.
        let refreshToken = "rt-" + UUID().uuidString
        state.withLock { $0.liveRefreshToken = (refreshToken, grant.nonce) }
        return Self.json(
            #"{"access_token":"at","token_type":"Bearer","expires_in":600,"id_token":"\#(idToken)","refresh_token":"\#(refreshToken)"}"#
        )
    }

    /// Dex's refresh (docs/multi-cluster.md): 400 for anything but the live token; 500 for a removed user
    /// (the token is not rotated); else the token is rotated and a fresh ID token (fresh `iat`, the login's
    /// nonce) comes back, or none (`refreshWithoutIDToken`).
    private func refresh(_ presented: String) async throws -> Response {
        let (settings, live) = state.withLock { state in
            state.refreshRequests += 1
            return (state.settings, state.liveRefreshToken)
        }
        guard let live, live.token == presented else { return Self.oauthError(400, "invalid_request") }
        if settings.userRemoved { return Self.oauthError(500, "invalid_request") }
        let rotated = "rt-" + UUID().uuidString
        let won = state.withLock { state -> Bool in
            guard state.liveRefreshToken?.token == presented else { return false }
            state.liveRefreshToken = (rotated, live.nonce)
            return true
        }
        guard won else { return Self.oauthError(400, "invalid_request") }
        if settings.refreshWithoutIDToken {
            return Self.json(#"{"access_token":"at","token_type":"Bearer","refresh_token":"\#(rotated)"}"#)
        }
        let idToken = try await sign(claims(settings, nonce: live.nonce))
        return Self.json(
            #"{"access_token":"at","token_type":"Bearer","id_token":"\#(idToken)","refresh_token":"\#(rotated)"}"#)
    }

    /// The claims of an ID token issued now under `settings` (a login's, or a refresh's, which keeps the login's
    /// nonce).
    private func claims(_ settings: Settings, nonce: String) -> TestClaims {
        let now = Date() + settings.clockOffset
        return TestClaims(
            iss: IssuerClaim(value: settings.tokenIssuer ?? issuer), sub: SubjectClaim(value: settings.subject),
            aud: AudienceClaim(value: settings.audience ?? [settings.clientID]), exp: ExpirationClaim(value: now + 600),
            iat: IssuedAtClaim(value: now), nonce: nonce, email: settings.email,
            email_verified: settings.emailVerified, name: "Alice Example", groups: settings.groups)
    }

    /// Signs arbitrary claims with the provider's key, for Bearer and negative tests.
    func sign(_ claims: TestClaims) async throws -> String {
        let key = signingKey.withLock { $0 }
        return try await key.keys.sign(claims, kid: JWKIdentifier(string: key.kid))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func oauthError(_ status: Int, _ error: String) -> Response {
        json(#"{"error":"\#(error)"}"#, status: .init(code: status))
    }

    static func form(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+")
    }
}

/// Answers 503 to everything while the provider's settings say it is down.
struct OutageMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let provider: TestIdentityProvider

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if provider.state.withLock({ $0.settings.unavailable }) { return Response(status: .serviceUnavailable) }
        return try await next(request, context)
    }
}

struct TestClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var azp: String? = nil
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String?
    var email: String?
    var email_verified: Bool?
    var name: String?
    var groups: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
