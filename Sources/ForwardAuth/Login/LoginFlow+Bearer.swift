import Logging

extension LoginFlow {
    /// Authenticates an API client by its Bearer ID token, then authorizes it like a session. No I/O: keys
    /// come from the cache (an unknown `kid` is refused and refreshes the cache in the background).
    /// The token itself is what `forward-token-header-name` forwards.
    package func verifyBearer(
        _ token: String, for request: ForwardedRequest, policy: AccessPolicy, now: Int64, logger: Logger
    ) async -> Decision {
        do {
            return authorize(try await provider.verifyBearerToken(token, now: now), token, request, policy)
        } catch {
            logger.info("bearer token refused", metadata: ["reason": "\(error.description)"])
            return .unauthenticated(reason: "invalid bearer token")
        }
    }

    /// `verifyBearer` without waiting, for a token verified before (see `IdentityProviderClient`); nil when it
    /// must be verified.
    package func verifyBearerWithoutWaiting(
        _ token: String, for request: ForwardedRequest, policy: AccessPolicy, now: Int64
    ) -> Decision? {
        provider.verifiedBearerTokenWithoutWaiting(token, now: now).map { authorize($0, token, request, policy) }
    }

    private func authorize(_ identity: Identity, _ token: String, _ request: ForwardedRequest, _ policy: AccessPolicy)
        -> Decision
    {
        if KubernetesNames.isReservedUser(identity.email) {
            return .unauthenticated(reason: "the token's email holds ':', which Kubernetes reserves")
        }
        let headers = gatekeeper.identityHeaders
        let principal = Principal(
            email: identity.email, groups: identity.groups, claims: headers.keptClaims(of: identity.claims),
            idToken: headers.tokenForwarding == nil ? nil : token)
        return gatekeeper.authorize(principal, request: request, policy: policy)
    }
}
