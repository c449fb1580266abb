import ForwardAuthOIDC
import Foundation

/// The login flow's view of the provider (`IdentityProviderClient`), served by the OIDC client.
extension OIDCClient: IdentityProviderClient {
    package func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        do {
            return try await exchange(code: code, codeVerifier: codeVerifier, redirectURI: redirectURI).idToken
        } catch {
            throw LoginError(.providerUnavailable, error.description)
        }
    }

    package nonisolated func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError)
        -> Identity
    {
        do {
            let claims = try await verify(
                idToken: idToken, expectedNonce: nonce, policy: settings.callbackPolicy,
                now: Date(timeIntervalSince1970: TimeInterval(now)))
            return Identity(claims)
        } catch {
            let kind: LoginError.Kind =
                error.isProviderUnavailable ? .providerUnavailable : error.isAboutEmail ? .missingEmail : .invalidToken
            throw LoginError(kind, "ID token refused: \(error.description)", tokenReason: error.reason)
        }
    }

    package nonisolated func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        // Read before verifying: keys replaced meanwhile leave the entry stale, never wrongly current.
        let keySet = currentKeySet
        do {
            let claims = try await verifyCached(
                idToken: idToken, policy: .bearer(trustedAudiences: settings.trustedAudiences),
                now: Date(timeIntervalSince1970: TimeInterval(now)))
            verifiedBearers.remember(claims, for: idToken, keySet: keySet)
            return Identity(claims)
        } catch {
            throw LoginError(
                error.isAboutEmail ? .missingEmail : .invalidToken, "Bearer token refused: \(error.description)",
                tokenReason: error.reason)
        }
    }

    package nonisolated func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64)
        async throws(LoginError) -> Identity
    {
        do {
            let claims = try await verify(
                idToken: idToken, expectedNonce: nil,
                policy: .brokered(trustedAudiences: settings.trustedAudiences, brokerAudience: brokerAudience),
                now: Date(timeIntervalSince1970: TimeInterval(now)))
            return Identity(claims)
        } catch {
            let kind: LoginError.Kind =
                error.isProviderUnavailable ? .providerUnavailable : error.isAboutEmail ? .missingEmail : .invalidToken
            throw LoginError(kind, "brokered ID token refused: \(error.description)", tokenReason: error.reason)
        }
    }

    package nonisolated func previouslyVerifiedBearerToken(_ idToken: String, now: Int64) -> Identity? {
        guard let claims = verifiedBearers.claims(for: idToken, keySet: currentKeySet),
            validator.isCurrent(claims, now: Date(timeIntervalSince1970: TimeInterval(now)))
        else { return nil }
        return Identity(claims)
    }

    package func endSessionEndpoint() async -> String? {
        metadata?.endSessionEndpoint
    }
}

extension Identity {
    init(_ claims: IDTokenClaims) {
        self.init(
            email: claims.email, displayName: claims.displayName, groups: claims.groups, claims: claims.raw,
            expiresAt: Int64(claims.expiresAt.timeIntervalSince1970))
    }
}
