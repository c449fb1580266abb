/// What a login remembers between the redirect to the identity provider and the callback: the payload of the
/// short-lived, sealed CSRF cookie.
package struct LoginState: Sendable, Hashable {
    /// Random; equals the `state` query parameter of the callback (compared in constant time).
    package var state: String
    /// Random; must come back as the ID token's `nonce` claim.
    package var nonce: String
    /// PKCE `code_verifier`; only its S256 challenge went to the provider.
    package var codeVerifier: String
    /// The exact `redirect_uri` sent with the authorization request, reused at the code exchange.
    package var redirectURI: String
    /// Where the browser goes after a successful login (already checked against the return-URL policy).
    package var returnURL: String
    /// The Domain the cookie was set on (nil: host-only), so the callback clears exactly that cookie.
    package var cookieDomain: String?
    package var expiresAt: Int64
    /// The W3C trace id of the request that started the login (Traefik's tracing), so the callback's log line
    /// links the two traces; nil when that request carried none.
    package var traceID: String?

    package init(
        state: String, nonce: String, codeVerifier: String, redirectURI: String, returnURL: String,
        cookieDomain: String? = nil, expiresAt: Int64, traceID: String? = nil
    ) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.redirectURI = redirectURI
        self.returnURL = returnURL
        self.cookieDomain = cookieDomain
        self.expiresAt = expiresAt
        self.traceID = traceID
    }

    /// Logins must finish within this many seconds (the issue caps it at 15 minutes).
    package static let lifetime: Int64 = 10 * 60

    /// Return URLs longer than this are shortened, so the cookie stays well under 4 KB.
    package static let maximumReturnURLLength = 2048
}

extension LoginState {
    /// 2 adds the trace id; 1 (without it) is still read, for logins started before an upgrade.
    static let formatVersion: UInt8 = 2

    func encoded() -> [UInt8] {
        var writer = PayloadWriter(capacity: 256 + returnURL.utf8.count)
        writer.write(Self.formatVersion)
        writer.write(expiresAt)
        writer.write(state)
        writer.write(nonce)
        writer.write(codeVerifier)
        writer.write(redirectURI)
        writer.write(returnURL)
        writer.write(cookieDomain ?? "")
        writer.write(traceID ?? "")
        return writer.bytes
    }

    init?(decoding bytes: [UInt8]) {
        var reader = PayloadReader(bytes)
        guard let version = reader.readByte(), version == 1 || version == Self.formatVersion,
            let expiresAt = reader.readInt64(), let state = reader.readString(), let nonce = reader.readString(),
            let codeVerifier = reader.readString(), let redirectURI = reader.readString(),
            let returnURL = reader.readString(), let cookieDomain = reader.readString()
        else { return nil }
        let traceID = version == 1 ? "" : reader.readString()
        guard let traceID, reader.isAtEnd else { return nil }
        self.init(
            state: state, nonce: nonce, codeVerifier: codeVerifier, redirectURI: redirectURI, returnURL: returnURL,
            cookieDomain: cookieDomain.isEmpty ? nil : cookieDomain, expiresAt: expiresAt,
            traceID: traceID.isEmpty ? nil : traceID)
    }
}
