import Logging

extension LoginFlow {
    /// Authenticates an API client by its Bearer ID token, then authorizes it like a session. No I/O: keys
    /// come from the cache (an unknown `kid` is refused and refreshes the cache in the background).
    /// The token itself is what `forward-token-header-name` forwards.
    public func verifyBearer(
        _ token: String, for request: ForwardedRequest, policy: AccessPolicy, now: Int64, logger: Logger
    ) async -> Decision {
        do {
            let identity = try await provider.verifyBearerToken(token, now: now)
            let headers = gatekeeper.identityHeaders
            let principal = Principal(
                email: identity.email, groups: identity.groups, claims: headers.keptClaims(of: identity.claims),
                idToken: headers.tokenForwarding == nil ? nil : token)
            return gatekeeper.authorize(principal, request: request, policy: policy)
        } catch {
            logger.info("bearer token refused", metadata: ["reason": "\(error.description)"])
            return .unauthenticated(reason: "invalid bearer token")
        }
    }
}
