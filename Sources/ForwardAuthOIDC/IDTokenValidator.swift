import ForwardAuthWire
import Foundation

/// The claim rules for an ID token whose signature JWTKit has already verified. A pure value: the clock
/// (`now`) and the expected nonce are passed in, so every rule is testable on its own.
///
/// One rule per check, each with its own `IDTokenError`, applied in this order: issuer, audience (client id
/// present, nothing untrusted), authorized party, expiry, not-before, issued-at, nonce, subject,
/// email verified, email, groups.
package struct IDTokenValidator: Sendable {
    /// The configured provider-uri, exactly: `iss` must equal it character for character.
    package var issuer: String
    package var clientID: String
    /// The claim that holds groups (`groups-attribute-name`).
    package var groupsClaim: String
    /// Allowed clock skew, in seconds, for `exp`, `nbf` and `iat`.
    package var leeway: TimeInterval

    package init(issuer: String, clientID: String, groupsClaim: String = "groups", leeway: TimeInterval = 60) {
        self.issuer = issuer
        self.clientID = clientID
        self.groupsClaim = groupsClaim
        self.leeway = leeway
    }

    /// Checks every rule and returns the typed claims, or throws the first rule that failed.
    /// - Parameter expectedNonce: the nonce this login sent (callback); nil when none is expected (Bearer).
    package func validate(
        _ payload: IDTokenPayload, expectedNonce: String?, policy: AudiencePolicy, now: Date
    ) throws(IDTokenError) -> IDTokenClaims {
        let claims = payload.claims
        let issuer = try checkIssuer(claims["iss"])
        let audience: [String]
        let authorizedParty: String?
        if let brokered = try checkBrokerAudience(claims["aud"], claims["azp"], policy: policy) {
            (audience, authorizedParty) = brokered
        } else {
            audience = try checkAudienceContainsClient(claims["aud"])
            try checkAudienceTrusted(audience, policy: policy)
            authorizedParty = try checkAuthorizedParty(claims["azp"], policy: policy)
        }
        let expiresAt = try checkExpiration(claims["exp"], now: now)
        let notBefore = try checkNotBefore(claims["nbf"], now: now)
        let issuedAt = try checkIssuedAt(claims["iat"], now: now)
        try checkNonce(claims["nonce"], expected: expectedNonce)
        let subject = try checkSubject(claims["sub"])
        let emailVerified = try checkEmailVerified(claims["email_verified"])
        let email = try checkEmail(claims["email"])
        let groups = try checkGroups(claims[groupsClaim])
        return IDTokenClaims(
            issuer: issuer, subject: subject, audience: audience, authorizedParty: authorizedParty,
            expiresAt: expiresAt, issuedAt: issuedAt, notBefore: notBefore, nonce: claims["nonce"]?.stringValue,
            email: email, emailVerified: emailVerified, name: claims["name"]?.stringValue,
            preferredUsername: claims["preferred_username"]?.stringValue, groups: groups, raw: claims)
    }

    // MARK: Rules

    package func checkIssuer(_ value: ClaimValue?) throws(IDTokenError) -> String {
        guard let found = value?.stringValue else { throw .issuerMismatch.detail("the token has no iss") }
        guard found == issuer else {
            throw .issuerMismatch.detail("found \"\(loggable(found))\", expected \"\(loggable(issuer))\"")
        }
        return found
    }

    /// The broker's own audience form (`AudiencePolicy.brokered` with an audience): `aud` exactly that one
    /// audience and `azp` absent or the same. Nil when the policy names none or the token is not in that form
    /// (then the usual audience rules decide); an `azp` naming anyone else is refused.
    package func checkBrokerAudience(_ audience: ClaimValue?, _ party: ClaimValue?, policy: AudiencePolicy)
        throws(IDTokenError) -> (audience: [String], authorizedParty: String?)?
    {
        guard let expected = policy.brokerAudience, let list = audience?.stringList, list == [expected] else {
            return nil
        }
        guard let party else { return (list, nil) }
        guard party.stringValue == expected else {
            throw .authorizedPartyMismatch.detail("\"\(loggable(party.stringValue ?? "(not a string)"))\"")
        }
        return (list, expected)
    }

    package func checkAudienceContainsClient(_ value: ClaimValue?) throws(IDTokenError) -> [String] {
        guard let audience = value?.stringList, audience.contains(clientID) else {
            throw .audienceMissingClient.detail("expected \"\(loggable(clientID))\"")
        }
        return audience
    }

    package func checkAudienceTrusted(_ audience: [String], policy: AudiencePolicy) throws(IDTokenError) {
        let trusted = policy.trustedAudiences
        if let other = audience.first(where: { $0 != clientID && !trusted.contains($0) }) {
            throw .audienceUntrusted.detail("\"\(loggable(other))\"")
        }
    }

    package func checkAuthorizedParty(_ value: ClaimValue?, policy: AudiencePolicy) throws(IDTokenError) -> String? {
        guard let value else { return nil }
        guard let party = value.stringValue, party == clientID || policy.authorizedParties.contains(party) else {
            throw .authorizedPartyMismatch.detail("\"\(loggable(value.stringValue ?? "(not a string)"))\"")
        }
        return party
    }

    /// Whether claims that verified at some time are still within their times at `now`: the checks of
    /// `validate` that depend on the clock, with the same leeway.
    package func isCurrent(_ claims: IDTokenClaims, now: Date) -> Bool {
        now.timeIntervalSince(claims.expiresAt) < leeway
            && (claims.notBefore.map { $0.timeIntervalSince(now) <= leeway } ?? true)
            && (claims.issuedAt.map { $0.timeIntervalSince(now) <= leeway } ?? true)
    }

    package func checkExpiration(_ value: ClaimValue?, now: Date) throws(IDTokenError) -> Date {
        guard let seconds = value?.numberValue else { throw .expirationMissing }
        let expiresAt = Date(timeIntervalSince1970: seconds)
        // Expired once `now` reaches exp + leeway.
        guard now.timeIntervalSince(expiresAt) < leeway else {
            throw .expired.detail("exp \(Int64(seconds)), \(Int64(now.timeIntervalSince(expiresAt)))s ago")
        }
        return expiresAt
    }

    package func checkNotBefore(_ value: ClaimValue?, now: Date) throws(IDTokenError) -> Date? {
        guard let value else { return nil }
        guard let seconds = value.numberValue else { throw .notYetValid.detail("nbf is not a number") }
        let notBefore = Date(timeIntervalSince1970: seconds)
        guard notBefore.timeIntervalSince(now) <= leeway else {
            throw .notYetValid.detail("nbf \(Int64(seconds)), \(Int64(notBefore.timeIntervalSince(now)))s ahead")
        }
        return notBefore
    }

    package func checkIssuedAt(_ value: ClaimValue?, now: Date) throws(IDTokenError) -> Date? {
        guard let value else { return nil }
        guard let seconds = value.numberValue else { throw .issuedInFuture.detail("iat is not a number") }
        let issuedAt = Date(timeIntervalSince1970: seconds)
        guard issuedAt.timeIntervalSince(now) <= leeway else {
            throw .issuedInFuture.detail("iat \(Int64(seconds)), \(Int64(issuedAt.timeIntervalSince(now)))s ahead")
        }
        return issuedAt
    }

    package func checkNonce(_ value: ClaimValue?, expected: String?) throws(IDTokenError) {
        guard let expected else { return }
        guard let found = value?.stringValue, ConstantTime.equals(found, expected) else {
            throw .nonceMismatch
        }
    }

    package func checkSubject(_ value: ClaimValue?) throws(IDTokenError) -> String {
        guard let subject = value?.stringValue, !subject.isEmpty else { throw .subjectMissing }
        return subject
    }

    package func checkEmailVerified(_ value: ClaimValue?) throws(IDTokenError) -> Bool? {
        let verified: Bool?
        switch value {
        case nil, .null?: verified = nil
        case .bool(let flag)?: verified = flag
        // Some providers send the flag as a string.
        case .string("true")?: verified = true
        case .string("false")?: verified = false
        default: throw .emailVerifiedMalformed
        }
        guard verified != false else { throw .emailNotVerified }
        return verified
    }

    package func checkEmail(_ value: ClaimValue?) throws(IDTokenError) -> String {
        guard let value, value != .null else { throw .emailMissing }
        guard let email = value.stringValue, !email.isEmpty else { throw .emailNotAString }
        return email
    }

    package func checkGroups(_ value: ClaimValue?) throws(IDTokenError) -> [String] {
        guard let value, value != .null else { return [] }
        guard let groups = value.stringList else {
            throw .groupsMalformed.detail("claim \"\(loggable(groupsClaim))\"")
        }
        return groups
    }
}
