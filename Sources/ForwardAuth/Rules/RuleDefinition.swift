import ForwardAuthWire

/// One `rule.NAME.*` block of the configuration, as the operator wrote it.
///
/// The matcher expression is kept as text here; `RuleSet` compiles it, so a syntax error can name the rule
/// and the position.
package struct RuleDefinition: Sendable, Hashable {
    package var name: String
    package var action: RuleAction
    /// Traefik v2 matcher expression, e.g. `Host(`a.example.com`) && PathPrefix(`/api`)`.
    package var rule: String
    /// Per-rule allow-lists (`rule.NAME.whitelist`, `rule.NAME.domains`, `rule.NAME.groups`); when non-empty they
    /// replace the global ones for requests this rule matches, as in thomseddon's fork.
    package var whitelist: [String]
    package var domains: [String]
    package var groups: [String]

    package init(
        name: String,
        action: RuleAction = .auth,
        rule: String,
        whitelist: [String] = [],
        domains: [String] = [],
        groups: [String] = []
    ) {
        self.name = name
        self.action = action
        self.rule = rule
        // Lower-cased once here, so a request never does it (`AccessPolicy.overridden(by:)`).
        self.whitelist = whitelist.map { $0.asciiLowercased() }
        self.domains = domains.map { $0.asciiLowercased() }
        self.groups = groups
    }
}
