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

    /// Another normalization of a listed address, domain or group is not it: Swift's `==` would say it is.
    @Test func canonicalEquivalentsAreNotTheListedOnes() {
        #expect(
            AccessPolicy(whitelist: ["jos\u{E9}@example.com"]).evaluate(email: "jos\u{E9}@example.com", groups: [])
                == .allowed)
        #expect(
            AccessPolicy(whitelist: ["jos\u{E9}@example.com"]).evaluate(email: "jose\u{301}@example.com", groups: [])
                != .allowed)
        #expect(
            AccessPolicy(domains: ["caf\u{E9}.example"]).evaluate(email: "a@cafe\u{301}.example", groups: [])
                != .allowed)
        #expect(
            AccessPolicy(groups: ["\u{E9}quipe"]).evaluate(email: "a@example.com", groups: ["e\u{301}quipe"])
                != .allowed)
        #expect(
            AccessPolicy(groups: ["\u{E9}quipe"]).evaluate(email: "a@example.com", groups: ["\u{E9}quipe"]) == .allowed)
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
