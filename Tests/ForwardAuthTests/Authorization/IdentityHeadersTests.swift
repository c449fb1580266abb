import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC

@Suite("Identity headers")
struct IdentityHeadersTests {
    let principal = Principal(
        email: "alice@example.com", groups: ["devs", "ops"],
        claims: [NamedClaim(name: "preferred_username", values: ["alice"])], idToken: "eyJ.header.sig")

    func pairs(_ headers: IdentityHeaders, _ principal: Principal) throws -> [String] {
        try headers.headers(for: principal, upstreamOnly: true).map { "\($0.name): \($0.value)" }
    }

    @Test func emailHeadersThenClaimHeadersWithListsJoinedByCommas() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: ["X-Forwarded-User", "X-Auth-Request-Email"],
            claimHeaders: [
                .init(header: "X-Auth-Request-Groups", claim: "groups"),
                .init(header: "X-Auth-Request-Preferred-Username", claim: "preferred_username"),
                .init(header: "X-Auth-Request-Missing", claim: "not_in_token"),
            ])
        #expect(
            try pairs(headers, principal) == [
                "X-Forwarded-User: alice@example.com", "X-Auth-Request-Email: alice@example.com",
                "X-Auth-Request-Groups: devs,ops", "X-Auth-Request-Preferred-Username: alice",
            ])
    }

    /// A value holding the separator is never read upstream as two values (issue 15).
    @Test func claimValuesHoldingTheSeparatorAreEncoded() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: [],
            claimHeaders: [.init(header: "X-Groups", claim: "groups"), .init(header: "X-Name", claim: "name")])
        let principal = Principal(
            email: "a@example.com", groups: ["admins,devs", "100%", "ops"],
            claims: [NamedClaim(name: "name", values: ["Doe, John"])])
        #expect(try pairs(headers, principal) == ["X-Groups: admins%2Cdevs,100%25,ops", "X-Name: Doe%2C John"])
        #expect(try pairs(headers, self.principal).isEmpty == false)
    }

    @Test func aCustomGroupsAttributeIsReadFromTheGroups() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: [], claimHeaders: [.init(header: "X-Roles", claim: "roles")], groupsClaim: "roles")
        #expect(try pairs(headers, principal) == ["X-Roles: devs,ops"])
        #expect(headers.sessionClaimNames.isEmpty)
    }

    @Test func theTokenIsForwardedWithItsPrefix() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: [], tokenForwarding: .init(header: "X-Id-Token", prefix: "Bearer "))
        #expect(try pairs(headers, principal) == ["X-Id-Token: Bearer eyJ.header.sig"])
        var withoutToken = principal
        withoutToken.idToken = nil
        #expect(try pairs(headers, withoutToken).isEmpty)
    }

    @Test func impersonationSendsTheServiceAccountTokenUserAndPrefixedGroups() throws {
        let token = ServiceAccountToken("sa-token-1")
        let headers = IdentityHeaders(
            emailHeaderNames: ["X-Forwarded-User"], impersonation: .init(groupPrefix: "oidc:", token: token))
        #expect(
            try pairs(headers, principal) == [
                "X-Forwarded-User: alice@example.com", "Authorization: Bearer sa-token-1",
                "Impersonate-User: alice@example.com", "Impersonate-Group: system:authenticated",
                "Impersonate-Group: oidc:devs", "Impersonate-Group: oidc:ops",
            ])
        // A rotated token is used from the next request on.
        token.update("sa-token-2")
        #expect(try pairs(headers, principal).contains("Authorization: Bearer sa-token-2"))
    }

    /// An answer a client reads directly (not a proxy's auth subrequest) carries the email headers alone: never
    /// the service-account token, impersonation, claims or the ID token. Nor does it need the token to be read.
    @Test func anAnswerForAClientCarriesOnlyTheEmailHeaders() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: ["X-Forwarded-User"],
            claimHeaders: [.init(header: "X-Auth-Request-Groups", claim: "groups")],
            tokenForwarding: .init(header: "X-Id-Token", prefix: "Bearer "),
            impersonation: .init(groupPrefix: "oidc:", token: ServiceAccountToken("sa-token-1")))
        #expect(headers.hasUpstreamOnlyHeaders)
        #expect(try headers.headers(for: principal, upstreamOnly: false).map(\.name) == ["X-Forwarded-User"])
        #expect(try headers.headers(for: principal, upstreamOnly: true).count == 8)
        let unread = IdentityHeaders(impersonation: .init(groupPrefix: "oidc:", token: ServiceAccountToken()))
        #expect(try unread.headers(for: principal, upstreamOnly: false).map(\.name) == ["X-Forwarded-User"])
        #expect(!IdentityHeaders(emailHeaderNames: ["X-A", "X-B"]).hasUpstreamOnlyHeaders)
    }

    @Test func impersonationWithoutATokenIsRefusedNotSentBare() {
        let headers = IdentityHeaders(impersonation: .init(groupPrefix: "oidc:", token: ServiceAccountToken()))
        #expect(throws: IdentityHeaders.Unavailable.serviceAccountToken) {
            try headers.headers(for: principal, upstreamOnly: true)
        }
    }

    @Test(arguments: ["evil\r\nX-Injected: 1", "nul\u{0}byte", "tab\there", "del\u{7F}"])
    func controlCharactersInClaimsNeverSplitAHeader(value: String) throws {
        let headers = IdentityHeaders(
            emailHeaderNames: ["X-Forwarded-User"], claimHeaders: [.init(header: "X-Name", claim: "name")])
        let hostile = Principal(email: value, groups: [], claims: [NamedClaim(name: "name", values: [value])])
        for header in try headers.headers(for: hostile, upstreamOnly: true) {
            #expect(!header.value.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "\(header)")
        }
    }

    @Test func claimsAreReadAsStringsListsNumbersAndBooleansOnly() {
        let claims: [String: ClaimValue] = [
            "s": .string("x"), "l": .array([.string("a"), .string("b")]), "n": .integer(42), "b": .bool(true),
            "o": .object(["k": .string("v")]), "mixed": .array([.string("a"), .object([:])]), "null": .null,
            "huge": .string(String(repeating: "x", count: NamedClaim.maximumBytes + 1)),
        ]
        #expect(NamedClaim(name: "s", from: claims)?.values == ["x"])
        #expect(NamedClaim(name: "l", from: claims)?.values == ["a", "b"])
        #expect(NamedClaim(name: "n", from: claims)?.values == ["42"])
        #expect(NamedClaim(name: "b", from: claims)?.values == ["true"])
        for refused in ["o", "mixed", "null", "huge", "absent"] {
            #expect(NamedClaim(name: refused, from: claims) == nil, "\(refused)")
        }
    }
}
