/// The front-channel half of the code flow: the URL that sends the browser to the provider.
extension ProviderMetadata {
    /// The authorization URL for a code flow with PKCE (S256):
    /// `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-joined), `state`, `nonce`,
    /// `code_challenge`, `code_challenge_method=S256`, every value form-encoded. A query already in the
    /// provider's `authorization_endpoint` is kept.
    public func authorizationURL(
        clientID: String, state: String, nonce: String, codeChallenge: String, redirectURI: String, scopes: [String]
    ) -> String {
        let query = FormURLEncoding.encode([
            ("response_type", "code"),
            ("client_id", clientID),
            ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: " ")),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", codeChallenge),
            ("code_challenge_method", "S256"),
        ])
        let endpoint = authorizationEndpoint.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let separator = endpoint.contains("?") ? (endpoint.hasSuffix("?") || endpoint.hasSuffix("&") ? "" : "&") : "?"
        return endpoint + separator + query
    }
}
