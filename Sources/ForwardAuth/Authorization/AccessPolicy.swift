/// Who may pass once identified: the `whitelist`, `domain` and `allowed-groups` allow-lists.
///
/// Checked at login and on every request, so removing a user from a list takes effect at their next request.
/// A rule's own lists replace the global ones for requests that rule matches (as thomseddon's fork does).
public struct AccessPolicy: Sendable, Hashable {
    /// Allowed email addresses, lower-case.
    public var whitelist: [String]
    /// Allowed email domains (the part after `@`), lower-case.
    public var domains: [String]
    /// Allowed groups (as in the token, no prefix).
    public var groups: [String]
    /// thomseddon's `match-whitelist-or-domain`: true = either list admits; false = when `whitelist` is set,
    /// only it counts.
    public var matchWhitelistOrDomain: Bool

    public init(
        whitelist: [String] = [], domains: [String] = [], groups: [String] = [], matchWhitelistOrDomain: Bool = true
    ) {
        self.whitelist = whitelist.map { $0.lowercased() }
        self.domains = domains.map { $0.lowercased() }
        self.groups = groups
        self.matchWhitelistOrDomain = matchWhitelistOrDomain
    }

    /// This policy with a rule's own lists in place of the global ones, where the rule has any. Copies no list
    /// elements: a rule's lists are lower-cased when the rule is defined.
    public func overridden(by rule: RuleDefinition) -> AccessPolicy {
        var policy = self
        if !rule.whitelist.isEmpty || !rule.domains.isEmpty {
            policy.whitelist = rule.whitelist
            policy.domains = rule.domains
        }
        if !rule.groups.isEmpty { policy.groups = rule.groups }
        return policy
    }

    public enum Verdict: Sendable, Hashable {
        case allowed
        case denied(reason: String)
    }

    public func evaluate(email: String, groups userGroups: [String]) -> Verdict {
        if !whitelist.isEmpty || !domains.isEmpty {
            // Tokens almost always carry lower-case ASCII emails: lower-case (allocate) only when needed.
            let needsLowercasing = email.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 }
            let email = needsLowercasing ? email.lowercased() : email
            let listed = whitelist.contains(email)
            let domainAllowed: Bool
            if !matchWhitelistOrDomain && !whitelist.isEmpty {
                domainAllowed = false
            } else if let at = email.lastIndex(of: "@") {
                domainAllowed = domains.contains(String(email[email.index(after: at)...]))
            } else {
                domainAllowed = false
            }
            guard listed || domainAllowed else { return .denied(reason: "email not in whitelist or allowed domains") }
        }
        if !groups.isEmpty, !userGroups.contains(where: groups.contains) {
            return .denied(reason: "not a member of an allowed group")
        }
        return .allowed
    }
}
