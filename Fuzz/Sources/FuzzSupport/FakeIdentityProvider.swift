import ForwardAuth

/// A provider that answers at once, without a network: the fuzzed callback reaches the session minting.
///
/// The authorization code carries the identity the provider vouches for, `email|name|group,group`, so fuzzed
/// codes exercise the access policy and the session cookies with hostile names and groups. The nonce must be
/// the one the login state holds, as a real provider's ID token would carry it.
package struct FakeIdentityProvider: IdentityProviderClient {
    /// The nonce `FixedRandom` mints for the login that `FuzzFixtures` starts.
    package let expectedNonce: String

    package init(expectedNonce: String) { self.expectedNonce = expectedNonce }

    package func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String? {
        "https://dex.example.com/dex/auth?state=\(state)&nonce=\(nonce)&code_challenge=\(codeChallenge)&redirect_uri=\(redirectURI)"
    }

    package func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        guard !codeVerifier.isEmpty, !redirectURI.isEmpty else { throw LoginError(.invalidToken, "no verifier") }
        if code == "unavailable" { throw LoginError(.providerUnavailable, "provider said no") }
        return code
    }

    package func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity
    {
        guard nonce == expectedNonce else { throw LoginError(.invalidToken, "nonce mismatch") }
        return try Self.identity(idToken)
    }

    private static func identity(_ idToken: String) throws(LoginError) -> Identity {
        let parts = idToken.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard let email = parts.first, !email.isEmpty else { throw LoginError(.missingEmail, "no email") }
        let name = parts.count > 1 ? parts[1] : email
        let groups = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
        return Identity(email: email, displayName: name, groups: groups)
    }

    package func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.invalidToken, "bearer tokens are not fuzzed here")
    }

    /// A brokered token is read like a code: `email|name|group,group`, ending at `now + 60`.
    package func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64) async throws(LoginError)
        -> Identity
    {
        var identity = try Self.identity(idToken)
        identity.expiresAt = now + 60
        return identity
    }

    package func endSessionEndpoint() async -> String? { nil }
}
