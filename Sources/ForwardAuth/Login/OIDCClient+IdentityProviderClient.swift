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

    package func redeemTokens(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError)
        -> RedeemedTokens
    {
        do {
            let tokens = try await exchange(code: code, codeVerifier: codeVerifier, redirectURI: redirectURI)
            return RedeemedTokens(idToken: tokens.idToken, refreshToken: tokens.refreshToken)
        } catch {
            throw LoginError(.providerUnavailable, error.description)
        }
    }

    package func refreshSession(refreshToken: String, now: Int64) async -> SessionRefresh {
        var outcome = await refresh(refreshToken: refreshToken)
        if outcome == .failed {
            // Dex answers 500 for a removed user, and also to the loser of a refresh race (it runs the connector
            // inside the token's storage update). The same token again tells them apart: a removal fails again; a
            // lost race is now refused, since the winner rotated the token.
            outcome = await refresh(refreshToken: refreshToken)
        }
        switch outcome {
        case .refused: return .refused
        case .failed: return .ended
        case .unavailable(let reason): return .unavailable(reason)
        case .refreshed(let tokens):
            if let idToken = tokens.idToken {
                do {
                    let claims = try await verify(
                        idToken: idToken, expectedNonce: nil, policy: settings.callbackPolicy,
                        now: Date(timeIntervalSince1970: TimeInterval(now)))
                    return .refreshed(
                        identity: Identity(claims), subject: claims.subject, idToken: idToken,
                        refreshToken: tokens.refreshToken)
                } catch {
                    if error.isProviderUnavailable { return .unavailable(error.description) }
                    return .invalid(
                        LoginError(
                            .invalidToken, "refreshed ID token refused: \(error.description)", tokenReason: error.reason
                        ))
                }
            }
            guard let accessToken = tokens.accessToken, let subject = await userinfoSubject(accessToken: accessToken)
            else { return .unavailable("the refresh sent no ID token, and userinfo named no subject") }
            return .refreshed(identity: nil, subject: subject, idToken: nil, refreshToken: tokens.refreshToken)
        }
    }

    package nonisolated func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError)
        -> Identity
    {
        try await verifiedIdentity(idToken, nonce: nonce, policy: settings.callbackPolicy, now: now, what: "ID token")
    }

    /// A verified token's identity, or the login error its refusal is (the provider's keys unreachable: the
    /// provider is unavailable; an email claim: a missing email; else an invalid token).
    private nonisolated func verifiedIdentity(
        _ idToken: String, nonce: String?, policy: AudiencePolicy, now: Int64, what: String
    ) async throws(LoginError) -> Identity {
        do {
            let claims = try await verify(
                idToken: idToken, expectedNonce: nonce, policy: policy,
                now: Date(timeIntervalSince1970: TimeInterval(now)))
            return Identity(claims)
        } catch {
            let kind: LoginError.Kind =
                error.isProviderUnavailable ? .providerUnavailable : error.isAboutEmail ? .missingEmail : .invalidToken
            throw LoginError(kind, "\(what) refused: \(error.description)", tokenReason: error.reason)
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
        try await verifiedIdentity(
            idToken, nonce: nil,
            policy: .brokered(trustedAudiences: settings.trustedAudiences, brokerAudience: brokerAudience), now: now,
            what: "brokered ID token")
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
        issuedAt = claims.issuedAt.map { Int64($0.timeIntervalSince1970) }
        subject = claims.subject
    }
}
