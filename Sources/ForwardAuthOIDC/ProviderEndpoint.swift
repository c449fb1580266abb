/// Which of the identity provider's endpoints a request goes to: how requests are counted and timed.
package enum ProviderEndpoint: String, Sendable, Hashable, CaseIterable {
    /// `<issuer>/.well-known/openid-configuration`.
    case discovery
    /// The discovery document's `jwks_uri`.
    case jwks
    /// The `token_endpoint` (the code exchange, a session's refresh).
    case token
    /// The `userinfo_endpoint` (a refresh answered without an ID token).
    case userinfo
    /// Anything else (requests built outside the OIDC client).
    case other
}
