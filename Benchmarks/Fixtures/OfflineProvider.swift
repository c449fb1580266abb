import ForwardAuth

/// An identity provider never reached: the check path with a valid session asks nothing of it, and a login
/// start finds its discovery not loaded.
struct OfflineProvider: IdentityProviderClient {
    func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String? {
        nil
    }

    func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        throw LoginError(.providerUnavailable, "offline")
    }

    func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.providerUnavailable, "offline")
    }

    func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.providerUnavailable, "offline")
    }

    func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64) async throws(LoginError)
        -> Identity
    {
        throw LoginError(.providerUnavailable, "offline")
    }

    func endSessionEndpoint() async -> String? { nil }
}
