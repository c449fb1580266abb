import Foundation
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// The claim rules, one at a time, on payloads built directly (the signature is the client's job).
@Suite struct IDTokenValidatorTests {
    let validator = IDTokenValidator(issuer: OIDCFixture.issuer, clientID: OIDCFixture.clientID)
    let now = OIDCFixture.now
    static let seconds = Int64(OIDCFixture.now.timeIntervalSince1970)

    func validate(
        _ claims: [String: ClaimValue], nonce: String? = "nonce-123", policy: AudiencePolicy = .callback
    ) throws(IDTokenError) -> IDTokenClaims {
        try validator.validate(IDTokenPayload(claims: claims), expectedNonce: nonce, policy: policy, now: now)
    }

    @Test func validClaimsPass() throws {
        let claims = try validate(OIDCFixture.claims())
        #expect(claims.email == "alice@example.com")
        #expect(claims.subject == "CiQwOGE4Njg0Yi1kYjg4")
        #expect(claims.audience == ["forward-auth"])
        #expect(claims.groups == ["devs", "ops"])
        #expect(claims.emailVerified == true)
        #expect(claims.displayName == "Alice Example")
        #expect(claims.expiresAt == now + 600)
        #expect(claims.raw["email"] == .string("alice@example.com"))
    }

    /// Each row breaks exactly one rule and names the error that rule must raise.
    struct BrokenRule: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var change: @Sendable (inout [String: ClaimValue]) -> Void
        var expected: IDTokenError

        init(
            _ name: String, _ change: @escaping @Sendable (inout [String: ClaimValue]) -> Void, _ expected: IDTokenError
        ) {
            testDescription = name
            self.change = change
            self.expected = expected
        }
    }

    static let brokenRules: [BrokenRule] = [
        .init("iss of another issuer", { $0["iss"] = .string("https://evil.example.com/dex") }, .issuerMismatch),
        .init("iss with a trailing slash", { $0["iss"] = .string(OIDCFixture.issuer + "/") }, .issuerMismatch),
        .init("iss look-alike prefix", { $0["iss"] = .string(OIDCFixture.issuer + ".evil.com") }, .issuerMismatch),
        .init("iss missing", { $0["iss"] = nil }, .issuerMismatch),
        .init("aud of another client", { $0["aud"] = .string("other-app") }, .audienceMissingClient),
        .init("aud array without us", { $0["aud"] = .array([.string("a"), .string("b")]) }, .audienceMissingClient),
        .init("aud not a string", { $0["aud"] = .integer(1) }, .audienceMissingClient),
        .init(
            "aud with an untrusted extra", { $0["aud"] = .array([.string("forward-auth"), .string("kubectl")]) },
            .audienceUntrusted),
        .init("azp another client", { $0["azp"] = .string("other-app") }, .authorizedPartyMismatch),
        .init("azp not a string", { $0["azp"] = .bool(true) }, .authorizedPartyMismatch),
        .init("exp missing", { $0["exp"] = nil }, .expirationMissing),
        .init("exp a string", { $0["exp"] = .string("\(seconds + 600)") }, .expirationMissing),
        .init("expired beyond leeway", { $0["exp"] = .integer(seconds - 61) }, .expired),
        .init("expired exactly at leeway", { $0["exp"] = .integer(seconds - 60) }, .expired),
        .init("nbf beyond leeway", { $0["nbf"] = .integer(seconds + 61) }, .notYetValid),
        .init("iat beyond leeway", { $0["iat"] = .integer(seconds + 61) }, .issuedInFuture),
        .init("nonce of another login", { $0["nonce"] = .string("nonce-124") }, .nonceMismatch),
        .init("nonce missing", { $0["nonce"] = nil }, .nonceMismatch),
        .init("sub missing", { $0["sub"] = nil }, .subjectMissing),
        .init("email_verified false", { $0["email_verified"] = .bool(false) }, .emailNotVerified),
        .init("email_verified \"false\"", { $0["email_verified"] = .string("false") }, .emailNotVerified),
        .init("email_verified 0", { $0["email_verified"] = .integer(0) }, .emailVerifiedMalformed),
        .init("email missing", { $0["email"] = nil }, .emailMissing),
        .init("email null", { $0["email"] = .null }, .emailMissing),
        .init("email a number", { $0["email"] = .integer(42) }, .emailNotAString),
        .init("email an array", { $0["email"] = .array([.string("alice@example.com")]) }, .emailNotAString),
        .init("email empty", { $0["email"] = .string("") }, .emailNotAString),
        .init("groups a number", { $0["groups"] = .integer(7) }, .groupsMalformed),
        .init("groups with a non-string", { $0["groups"] = .array([.string("devs"), .integer(7)]) }, .groupsMalformed),
    ]

    @Test(arguments: brokenRules)
    func eachBrokenRuleIsRefusedWithItsOwnError(_ rule: BrokenRule) {
        #expect(throws: rule.expected) { try validate(OIDCFixture.claims(rule.change)) }
    }

    /// Within the leeway, times pass; the leeway is configurable.
    @Test(arguments: [("exp", seconds - 59), ("nbf", seconds + 60), ("iat", seconds + 60)])
    func timesWithinLeewayPass(_ claim: String, _ value: Int64) throws {
        _ = try validate(OIDCFixture.claims { $0[claim] = .integer(value) })
        let strict = IDTokenValidator(issuer: OIDCFixture.issuer, clientID: OIDCFixture.clientID, leeway: 0)
        #expect(throws: IDTokenError.self, "\(claim) with no leeway") {
            try strict.validate(
                IDTokenPayload(claims: OIDCFixture.claims { $0[claim] = .integer(value) }), expectedNonce: nil,
                policy: .callback, now: now)
        }
    }

    @Test func fractionalTimesAreRead() throws {
        let claims = try validate(OIDCFixture.claims { $0["exp"] = .number(Double(Self.seconds) + 30.5) })
        #expect(claims.expiresAt == now + 30.5)
    }

    @Test(arguments: [
        (ClaimValue.string("forward-auth"), ["forward-auth"]),
        (.array([.string("forward-auth")]), ["forward-auth"]),
    ])
    func audienceAsStringOrArray(_ aud: ClaimValue, _ expected: [String]) throws {
        #expect(try validate(OIDCFixture.claims { $0["aud"] = aud }).audience == expected)
    }

    @Test(arguments: [
        (ClaimValue.string("admins"), ["admins"]),
        (.array([.string("devs"), .string("ops")]), ["devs", "ops"]),
        (.array([]), []),
        (.null, []),
    ])
    func groupsAsStringOrArray(_ groups: ClaimValue, _ expected: [String]) throws {
        #expect(try validate(OIDCFixture.claims { $0["groups"] = groups }).groups == expected)
    }

    @Test func groupsComeFromTheConfiguredClaim() throws {
        let custom = IDTokenValidator(issuer: OIDCFixture.issuer, clientID: OIDCFixture.clientID, groupsClaim: "roles")
        let payload = IDTokenPayload(claims: OIDCFixture.claims { $0["roles"] = .string("admin") })
        let claims = try custom.validate(payload, expectedNonce: nil, policy: .callback, now: now)
        #expect(claims.groups == ["admin"])
        #expect(try validate(OIDCFixture.claims { $0["groups"] = nil }).groups == [])
    }

    @Test(arguments: [
        (ClaimValue?.none, Bool?.none),
        (.bool(true), true),
        (.string("true"), true),
    ])
    func emailVerifiedTrueOrAbsentPasses(_ value: ClaimValue?, _ expected: Bool?) throws {
        #expect(try validate(OIDCFixture.claims { $0["email_verified"] = value }).emailVerified == expected)
    }

    @Test func noExpectedNonceSkipsTheNonceRule() throws {
        _ = try validate(OIDCFixture.claims { $0["nonce"] = .string("whatever") }, nonce: nil)
    }

    @Test func azpEqualToTheClientPasses() throws {
        #expect(
            try validate(OIDCFixture.claims { $0["azp"] = .string("forward-auth") }).authorizedParty == "forward-auth")
    }

    /// Dex's cross-client token: `aud` = [us, peer], `azp` = peer. Fine for a trusted peer's Bearer token,
    /// never for our own callback.
    @Test func trustedAudienceAcceptedForBearerRefusedForCallback() throws {
        let crossClient = OIDCFixture.claims {
            $0["aud"] = .array([.string("forward-auth"), .string("kubectl")])
            $0["azp"] = .string("kubectl")
        }
        let claims = try validate(crossClient, nonce: nil, policy: .bearer(trustedAudiences: ["kubectl"]))
        #expect(claims.authorizedParty == "kubectl")
        #expect(throws: IDTokenError.audienceUntrusted) { try validate(crossClient, policy: .callback) }
        #expect(throws: IDTokenError.audienceUntrusted) {
            try validate(crossClient, nonce: nil, policy: .bearer(trustedAudiences: ["other"]))
        }
        // azp alone (aud only us) is judged by the same trusted list.
        let azpOnly = OIDCFixture.claims { $0["azp"] = .string("kubectl") }
        _ = try validate(azpOnly, nonce: nil, policy: .bearer(trustedAudiences: ["kubectl"]))
        #expect(throws: IDTokenError.authorizedPartyMismatch) { try validate(azpOnly, policy: .callback) }
    }

    /// The broker's own form: `aud` exactly the UI cluster's client (named by `sso-broker-audience`), accepted
    /// only by the brokered policy; any other shape goes through the Bearer rules.
    @Test func theBrokerAudienceIsAcceptedOnlyExactlyAndOnlyOnTheBrokerPolicy() throws {
        let ui = OIDCFixture.claims { $0["aud"] = .string("kommander") }
        let brokered = AudiencePolicy.brokered(trustedAudiences: [], brokerAudience: "kommander")
        #expect(try validate(ui, nonce: nil, policy: brokered).audience == ["kommander"])
        #expect(throws: IDTokenError.audienceMissingClient) {
            try validate(ui, nonce: nil, policy: .bearer(trustedAudiences: ["kommander"]))
        }
        #expect(throws: IDTokenError.audienceMissingClient) {
            try validate(ui, nonce: nil, policy: .brokered(trustedAudiences: [], brokerAudience: nil))
        }
        let withOther = OIDCFixture.claims { $0["aud"] = .array([.string("kommander"), .string("evil")]) }
        #expect(throws: IDTokenError.audienceMissingClient) { try validate(withOther, nonce: nil, policy: brokered) }
        let otherParty = OIDCFixture.claims {
            $0["aud"] = .string("kommander")
            $0["azp"] = .string("evil")
        }
        #expect(throws: IDTokenError.authorizedPartyMismatch) { try validate(otherParty, nonce: nil, policy: brokered) }
        // Our own client id keeps working under the brokered policy, as for Bearer tokens.
        _ = try validate(OIDCFixture.claims(), nonce: nil, policy: brokered)
    }

    /// The UI cluster's login that asked Dex for an attached cluster's audience (`trustedPeers`): `aud` = [peer,
    /// us], `azp` = us. Accepted only for a peer the scopes asked for; `azp` naming the peer is still refused.
    @Test func aCallbackAcceptsOnlyTheAudiencesItsScopesAskedFor() throws {
        let crossClient = OIDCFixture.claims {
            $0["aud"] = .array([.string("attached"), .string("forward-auth")])
            $0["azp"] = .string("forward-auth")
        }
        let settings = OIDCClientSettings(
            issuer: OIDCFixture.issuer, clientID: "forward-auth", clientSecret: Secret("s"),
            scopes: ["openid", "email", "audience:server:client_id:attached"])
        #expect(settings.callbackPolicy == AudiencePolicy.callbackRequesting(audiences: ["attached"]))
        #expect(try validate(crossClient, policy: settings.callbackPolicy).audience == ["attached", "forward-auth"])
        #expect(throws: IDTokenError.audienceUntrusted) { try validate(crossClient, policy: .callback) }
        #expect(throws: IDTokenError.audienceUntrusted) {
            try validate(crossClient, policy: .callbackRequesting(audiences: ["other"]))
        }
        let peerParty = OIDCFixture.claims {
            $0["aud"] = .array([.string("attached"), .string("forward-auth")])
            $0["azp"] = .string("attached")
        }
        #expect(throws: IDTokenError.authorizedPartyMismatch) {
            try validate(peerParty, policy: settings.callbackPolicy)
        }
    }

    @Test func displayNameFallsBackToPreferredUsernameThenEmail() throws {
        let username = try validate(
            OIDCFixture.claims {
                $0["name"] = nil; $0["preferred_username"] = .string("alice")
            })
        #expect(username.displayName == "alice")
        let email = try validate(OIDCFixture.claims { $0["name"] = .string("") })
        #expect(email.displayName == "alice@example.com")
    }

    @Test func errorDescriptionsNeverContainTheNonceOrEmail() {
        do {
            _ = try validate(
                OIDCFixture.claims { $0["nonce"] = .string("secret-nonce-value") }, nonce: "expected-nonce")
            Issue.record("should have thrown")
        } catch {
            #expect(!error.description.contains("secret-nonce-value"))
            #expect(!error.description.contains("expected-nonce"))
        }
        do {
            _ = try validate(OIDCFixture.claims { $0["iss"] = .string("https://evil.example.com\u{1B}[31m") })
            Issue.record("should have thrown")
        } catch {
            #expect(error == .issuerMismatch)
            #expect(error.description.contains("https://evil.example.com"))
            #expect(!error.description.contains("\u{1B}"))
        }
    }
}
