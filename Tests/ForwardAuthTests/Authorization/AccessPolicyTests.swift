import Testing

@testable import ForwardAuth

@Suite("Allow-lists")
struct AccessPolicyTests {
    @Test(arguments: [
        (AccessPolicy(), "anyone@anywhere.example", true),
        (AccessPolicy(whitelist: ["Alice@Example.com"]), "alice@example.com", true),
        (AccessPolicy(whitelist: ["alice@example.com"]), "bob@example.com", false),
        (AccessPolicy(domains: ["example.com"]), "bob@example.com", true),
        (AccessPolicy(domains: ["example.com"]), "bob@evilexample.com", false),
        (AccessPolicy(domains: ["example.com"]), "bob@a.example.com", false),
        (AccessPolicy(whitelist: ["x@other.example"], domains: ["example.com"]), "bob@example.com", true),
        (
            AccessPolicy(whitelist: ["x@other.example"], domains: ["example.com"], matchWhitelistOrDomain: false),
            "bob@example.com", false
        ),
        (
            AccessPolicy(whitelist: ["x@other.example"], domains: ["example.com"], matchWhitelistOrDomain: false),
            "x@other.example", true
        ),
    ])
    func emailsAreMatched(policy: AccessPolicy, email: String, allowed: Bool) {
        #expect((policy.evaluate(email: email, groups: []) == .allowed) == allowed)
    }

    @Test func groupsAreRequiredWhenConfigured() {
        let policy = AccessPolicy(groups: ["admins"])
        #expect(policy.evaluate(email: "a@example.com", groups: ["devs", "admins"]) == .allowed)
        #expect(policy.evaluate(email: "a@example.com", groups: ["devs"]) != .allowed)
    }

    @Test func aRuleListReplacesTheGlobalOne() {
        let global = AccessPolicy(whitelist: ["alice@example.com"])
        let rule = RuleDefinition(name: "admin", rule: "Host(`admin.example.com`)", whitelist: ["bob@example.com"])
        let policy = global.overridden(by: rule)
        #expect(policy.evaluate(email: "bob@example.com", groups: []) == .allowed)
        #expect(policy.evaluate(email: "alice@example.com", groups: []) != .allowed)
    }
}
