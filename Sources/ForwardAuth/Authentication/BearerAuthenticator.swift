/// Turns an API client's Bearer ID token into a principal: the provider verifies it (cached keys, never the
/// network); a token verified before is looked up without waiting. The token itself is what
/// `forward-token-header-name` forwards.
package struct BearerAuthenticator: Sendable {
    package let provider: any IdentityProviderClient
    package let identityHeaders: IdentityHeaders

    package init(provider: any IdentityProviderClient, identityHeaders: IdentityHeaders) {
        self.provider = provider
        self.identityHeaders = identityHeaders
    }

    /// The principal of a token verified before; nil when it must be verified (`verify`).
    package func previouslyVerified(_ token: String, now: Int64) -> Result<Principal, LoginError>? {
        provider.previouslyVerifiedBearerToken(token, now: now).map { principal($0, token) }
    }

    package func verify(_ token: String, now: Int64) async -> Result<Principal, LoginError> {
        do {
            return principal(try await provider.verifyBearerToken(token, now: now), token)
        } catch {
            return .failure(error)
        }
    }

    private func principal(_ identity: Identity, _ token: String) -> Result<Principal, LoginError> {
        if KubernetesNames.isReservedUser(identity.email) {
            return .failure(LoginError(.invalidToken, "the token's email holds ':', which Kubernetes reserves"))
        }
        return .success(
            Principal(
                email: identity.email, groups: identity.groups, claims: identityHeaders.keptClaims(of: identity.claims),
                idToken: identityHeaders.tokenForwarding == nil ? nil : token))
    }
}
