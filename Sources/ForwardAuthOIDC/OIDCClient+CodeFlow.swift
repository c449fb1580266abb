/// The two provider calls of the authorization-code flow with PKCE.
extension OIDCClient {
    /// The authorization URL that starts a login (see `ProviderMetadata.authorizationURL`), from any thread and
    /// without waiting for the actor; nil while discovery has not loaded: the login cannot start.
    package nonisolated func authorizationURL(
        state: String, nonce: String, codeChallenge: String, redirectURI: String
    ) -> String? {
        authorizationURLTemplate?.url(
            state: state, nonce: nonce, codeChallenge: codeChallenge, redirectURI: redirectURI)
    }

    /// Redeems an authorization code at the token endpoint (`client_secret_basic`, PKCE verifier, the exact
    /// `redirect_uri` of the authorization request). The returned ID token is not verified yet: pass it to
    /// `verify(idToken:expectedNonce:policy:now:)`.
    ///
    /// Failures are returned, not recorded in `status`: a refused code (`invalid_grant`) is usually the
    /// browser's doing (a reloaded callback), not a sign of provider trouble.
    package func exchange(code: String, codeVerifier: String, redirectURI: String) async throws(OIDCError)
        -> TokenResponse
    {
        guard let endpoint = metadata?.tokenEndpointURL else { throw .notLoaded }
        let request = TokenExchange.request(
            endpoint: endpoint, clientID: settings.clientID, clientSecret: settings.clientSecret, code: code,
            codeVerifier: codeVerifier, redirectURI: redirectURI)
        let response = try await send(request, what: "token endpoint")
        return try TokenExchange.response(response)
    }
}
