/// What the login flows need from the identity provider. The OIDC client implements it; tests use a fake.
package protocol IdentityProviderClient: Sendable {
    /// The provider's authorization URL for a code flow with PKCE (S256); nil while discovery has not loaded (the
    /// provider has been unreachable since start), and then the login cannot start. Never waits: the event loop
    /// starts logins with it.
    func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String?

    /// Exchanges the authorization code (with the PKCE verifier and the exact `redirect_uri`) for an ID token.
    func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String

    /// `redeem`, with the refresh token when the provider issued one (`offline_access`).
    func redeemTokens(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError)
        -> RedeemedTokens

    /// Renews a session at the token endpoint with its refresh token, verifying a returned ID token as a login's
    /// (no nonce: Dex keeps the first login's).
    func refreshSession(refreshToken: String, now: Int64) async -> SessionRefresh

    /// Verifies an ID token from the callback: signature, issuer, audience, `azp`, times, `nonce`,
    /// `email_verified`. May refetch the JWKS once for an unknown key.
    func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity

    /// Verifies an ID token an API client sent as `Authorization: Bearer`: the callback's checks minus the
    /// nonce, with trusted audiences allowed in `azp`. Never waits for the network (cached keys only).
    func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity

    /// Verifies an ID token the UI cluster's broker delivered (`<url-path>/sso/callback`): the Bearer checks
    /// (no nonce: it belongs to the UI's login), and, on this endpoint only, `aud` exactly `[brokerAudience]`.
    /// The identity carries the token's `exp`. May refetch the JWKS once for an unknown key.
    func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64) async throws(LoginError)
        -> Identity

    /// The identity of a Bearer token that `verifyBearerToken` accepted before, under the keys still loaded and
    /// within its times; nil when it must be verified (again). A lookup, not a verification: the event loop
    /// answers an API client's repeated token with it.
    func previouslyVerifiedBearerToken(_ idToken: String, now: Int64) -> Identity?

    /// Where to send the browser to end the provider's session, if it offers one (released Dex does not).
    func endSessionEndpoint() async -> String?
}

extension IdentityProviderClient {
    /// A client that keeps no verified tokens: every Bearer token is verified.
    package func previouslyVerifiedBearerToken(_ idToken: String, now: Int64) -> Identity? { nil }

    /// A client without refresh tokens (test doubles): the code's ID token alone.
    package func redeemTokens(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError)
        -> RedeemedTokens
    {
        RedeemedTokens(idToken: try await redeem(code: code, codeVerifier: codeVerifier, redirectURI: redirectURI))
    }

    /// A client that cannot refresh (test doubles): the session is kept and refresh is tried again later.
    package func refreshSession(refreshToken: String, now: Int64) async -> SessionRefresh {
        .unavailable("this provider client does not refresh")
    }
}
