/// One `rule.NAME.*` block of the configuration, as the operator wrote it.
///
/// The matcher expression is kept as text here; `RuleSet` compiles it, so a syntax error can name the rule
/// and the position.
public struct RuleDefinition: Sendable, Hashable {
    public var name: String
    public var action: RuleAction
    /// Traefik v2 matcher expression, e.g. `Host(`a.example.com`) && PathPrefix(`/api`)`.
    public var rule: String
    /// Per-rule allow-lists (`rule.NAME.whitelist`, `rule.NAME.domains`, `rule.NAME.groups`); when non-empty they
    /// replace the global ones for requests this rule matches, as in thomseddon's fork.
    public var whitelist: [String]
    public var domains: [String]
    public var groups: [String]

    public init(
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
