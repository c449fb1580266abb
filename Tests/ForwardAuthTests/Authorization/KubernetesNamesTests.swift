import Testing

@testable import ForwardAuth

/// Names Kubernetes keeps for itself never come from the provider (issue 15, identity).
@Suite("Kubernetes names")
struct KubernetesNamesTests {
    @Test(arguments: [
        ("system:admin", true), ("system:serviceaccount:kube-system:default", true), ("a:b@example.com", true),
        ("SYSTEM:masters", true), ("alice@example.com", false), ("system@example.com", false),
    ])
    func emailsHoldingAColonAreReserved(email: String, reserved: Bool) {
        #expect(KubernetesNames.isReservedUser(email) == reserved)
    }

    @Test(arguments: [
        ("masters", "oidc:", false), ("system:masters", "oidc:", false), ("system:masters", "", true),
        ("tem:masters", "sys", true), ("masters", "system:", true), ("masters", "system:x-", true),
        ("systemx", "", false), ("authenticated", "system:", true), ("devs", "", false), (":masters", "system", true),
        // Blanks vanish from the front of a header value; a comma reads as two groups.
        ("system:masters", " ", true), ("masters", " \tsystem:", true), (" system:masters", "", true),
        ("x,system:masters", "oidc:", true), ("devs", "a,b:", true), ("sys tem:x", "", false),
    ])
    func groupsThatWouldStartWithSystemAreReserved(group: String, prefix: String, reserved: Bool) {
        #expect(KubernetesNames.isReservedGroup(group, prefix: prefix) == reserved)
    }

    @Test func reservedGroupsNeverBecomeImpersonateGroups() throws {
        let headers = IdentityHeaders(
            emailHeaderNames: [], impersonation: .init(groupPrefix: "sys", token: ServiceAccountToken("t")))
        let principal = Principal(email: "alice@example.com", groups: ["tem:masters", "ops"])
        let groups = try headers.headers(for: principal, upstreamOnly: true).filter { $0.name == "Impersonate-Group" }
        #expect(groups.map(\.value) == ["system:authenticated", "sysops"])
    }

    /// Allow-lists fold ASCII case only: KELVIN SIGN (U+212A) lower-cases to `k` under Unicode rules.
    @Test func allowListsFoldASCIICaseOnly() {
        let listed = AccessPolicy(whitelist: ["kate@example.com"])
        #expect(listed.evaluate(email: "Kate@Example.COM", groups: []) == .allowed)
        #expect(listed.evaluate(email: "\u{212A}ate@example.com", groups: []) != .allowed)
        let domain = AccessPolicy(domains: ["Example.com"])
        #expect(domain.evaluate(email: "x@EXAMPLE.com", groups: []) == .allowed)
        #expect(domain.evaluate(email: "x@exampl\u{0435}.com", groups: []) != .allowed)
        let kelvinListed = AccessPolicy(whitelist: ["\u{212A}ate@example.com"])
        #expect(kelvinListed.evaluate(email: "kate@example.com", groups: []) != .allowed)
        let rule = RuleDefinition(name: "r", rule: "Host(`a`)", whitelist: ["KATE@example.com"])
        #expect(AccessPolicy().overridden(by: rule).evaluate(email: "\u{212A}ate@example.com", groups: []) != .allowed)
        #expect(AccessPolicy().overridden(by: rule).evaluate(email: "kate@example.com", groups: []) == .allowed)
    }
}
