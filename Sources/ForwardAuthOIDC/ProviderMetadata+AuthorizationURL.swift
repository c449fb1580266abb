/// The front-channel half of the code flow: the URL that sends the browser to the provider.
extension ProviderMetadata {
    /// The authorization URL for a code flow with PKCE (S256):
    /// `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-joined), `state`, `nonce`,
    /// `code_challenge`, `code_challenge_method=S256`, every value form-encoded. A query already in the
    /// provider's `authorization_endpoint` is kept.
    package func authorizationURL(
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
        // Bytes, not Characters: this runs for every login redirect.
        let bytes = authorizationEndpoint.utf8
        let endpoint = authorizationEndpoint[..<(bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex)]
        let separator =
            !endpoint.utf8.contains(UInt8(ascii: "?"))
            ? "?" : endpoint.utf8.last == UInt8(ascii: "?") || endpoint.utf8.last == UInt8(ascii: "&") ? "" : "&"
        return endpoint + separator + query
    }
}
