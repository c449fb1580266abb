/// The front-channel half of the code flow: the URL that sends the browser to the provider.
extension ProviderMetadata {
    /// The authorization URL for a code flow with PKCE (S256):
    /// `response_type=code`, `client_id`, `redirect_uri`, `scope` (space-joined), `state`, `nonce`,
    /// `code_challenge`, `code_challenge_method=S256`, every value form-encoded. A query already in the
    /// provider's `authorization_endpoint` is kept.
    package func authorizationURL(
        clientID: String, state: String, nonce: String, codeChallenge: String, redirectURI: String, scopes: [String]
    ) -> String {
        AuthorizationURLTemplate(authorizationEndpoint: authorizationEndpoint, clientID: clientID, scopes: scopes)
            .url(state: state, nonce: nonce, codeChallenge: codeChallenge, redirectURI: redirectURI)
    }
}

/// `ProviderMetadata.authorizationURL` with everything but the login's own values encoded once per discovery
/// document: every login redirect builds one of these URLs, and encoding the endpoint, client id and scopes
/// each time was a seventh of its cost.
package final class AuthorizationURLTemplate: Sendable {
    /// The endpoint without its fragment, `?` or `&`, `response_type`, `client_id`, then `&redirect_uri=`.
    private let head: [UInt8]
    /// `&scope=…&state=`.
    private let scope: [UInt8]
    private static let nonce = Array("&nonce=".utf8)
    private static let challenge = Array("&code_challenge=".utf8)
    private static let tail = Array("&code_challenge_method=S256".utf8)

    package init(authorizationEndpoint: String, clientID: String, scopes: [String]) {
        let bytes = authorizationEndpoint.utf8
        let endpoint = bytes[..<(bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex)]
        var head = Array(endpoint)
        if !endpoint.contains(UInt8(ascii: "?")) {
            head.append(UInt8(ascii: "?"))
        } else if endpoint.last != UInt8(ascii: "?") && endpoint.last != UInt8(ascii: "&") {
            head.append(UInt8(ascii: "&"))
        }
        head += "response_type=code&client_id=".utf8
        FormURLEncoding.append(clientID, to: &head)
        head += "&redirect_uri=".utf8
        self.head = head
        var scope = Array("&scope=".utf8)
        FormURLEncoding.append(scopes.joined(separator: " "), to: &scope)
        scope += "&state=".utf8
        self.scope = scope
    }

    /// The URL for one login; its values are form-encoded (states, nonces and challenges are base64url, which
    /// needs no escaping, but nothing here relies on that).
    package func url(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String {
        // The login's values escaped at worst (three bytes for one), on the fixed parts.
        let values = (redirectURI.utf8.count + state.utf8.count + nonce.utf8.count + codeChallenge.utf8.count) * 3
        var out: [UInt8] = []
        let fixed = head.count + scope.count + Self.nonce.count + Self.challenge.count + Self.tail.count
        out.reserveCapacity(fixed + values)
        out += head
        FormURLEncoding.append(redirectURI, to: &out)
        out += scope
        FormURLEncoding.append(state, to: &out)
        out += Self.nonce
        FormURLEncoding.append(nonce, to: &out)
        out += Self.challenge
        FormURLEncoding.append(codeChallenge, to: &out)
        out += Self.tail
        return String(decoding: out, as: UTF8.self)
    }
}
