import ForwardAuthWire

/// Who may pass once identified: the `whitelist`, `domain` and `allowed-groups` allow-lists.
///
/// Checked at login and on every request, so removing a user from a list takes effect at their next request.
/// A rule's own lists replace the global ones for requests that rule matches (as thomseddon's fork does).
package struct AccessPolicy: Sendable, Hashable {
    /// Allowed email addresses, ASCII lower-case.
    package var whitelist: [String]
    /// Allowed email domains (the part after `@`), ASCII lower-case.
    package var domains: [String]
    /// Allowed groups (as in the token, no prefix).
    package var groups: [String]
    /// thomseddon's `match-whitelist-or-domain`: true = either list admits; false = when `whitelist` is set,
    /// only it counts.
    package var matchWhitelistOrDomain: Bool

    package init(
        whitelist: [String] = [], domains: [String] = [], groups: [String] = [], matchWhitelistOrDomain: Bool = true
    ) {
        self.whitelist = whitelist.map { $0.asciiLowercased() }
        self.domains = domains.map { $0.asciiLowercased() }
        self.groups = groups
        self.matchWhitelistOrDomain = matchWhitelistOrDomain
    }

    /// This policy with a rule's own lists in place of the global ones, where the rule has any. Copies no list
    /// elements: a rule's lists are lower-cased when the rule is defined.
    package func overridden(by rule: RuleDefinition) -> AccessPolicy {
        var policy = self
        if !rule.whitelist.isEmpty || !rule.domains.isEmpty {
            policy.whitelist = rule.whitelist
            policy.domains = rule.domains
        }
        if !rule.groups.isEmpty { policy.groups = rule.groups }
        return policy
    }

    package enum Verdict: Sendable, Hashable {
        case allowed
        case denied(reason: String)
    }

    package func evaluate(email: String, groups userGroups: [String]) -> Verdict {
        if !whitelist.isEmpty || !domains.isEmpty {
            // ASCII case only (`asciiLowercased`), and bytes, not Swift's canonical equivalence: no Unicode
            // look-alike folds into a listed address, and neither does another normalization of it (`jose\u{301}`
            // is not `jos\u{E9}`), as the Go fork and Kubernetes compare.
            let email = email.asciiLowercased()
            let listed = whitelist.contains { Self.sameBytes($0, email) }
            let domainAllowed: Bool
            if !matchWhitelistOrDomain && !whitelist.isEmpty {
                domainAllowed = false
            } else if let at = email.utf8.lastIndex(of: UInt8(ascii: "@")) {
                let domain = email[email.utf8.index(after: at)...]
                domainAllowed = domains.contains { Self.sameBytes($0, domain) }
            } else {
                domainAllowed = false
            }
            guard listed || domainAllowed else { return .denied(reason: "email not in whitelist or allowed domains") }
        }
        if !groups.isEmpty, !userGroups.contains(where: { group in groups.contains { Self.sameBytes($0, group) } }) {
            return .denied(reason: "not a member of an allowed group")
        }
        return .allowed
    }

    /// Equal as UTF-8 bytes. Swift's `==` on strings is canonical equivalence.
    static func sameBytes(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }
}
