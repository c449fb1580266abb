import Logging

extension LoginFlow {
    /// Authenticates an API client by its Bearer ID token, then authorizes it like a session. No I/O: keys
    /// come from the cache (an unknown `kid` is refused and refreshes the cache in the background).
    public func verifyBearer(_ token: String, policy: AccessPolicy, now: Int64, logger: Logger) async -> Decision {
        do {
            let identity = try await provider.verifyBearerToken(token, now: now)
            return gatekeeper.authorize(email: identity.email, groups: identity.groups, policy: policy)
        } catch {
            logger.info("bearer token refused", metadata: ["reason": "\(error.description)"])
            return .unauthenticated(reason: "invalid bearer token")
        }
    }
}
