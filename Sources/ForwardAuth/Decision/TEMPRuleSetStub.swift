// TEMP: lead's stand-in until the real RuleSet lands.
public struct RuleSet: Sendable {
    let definitions: [RuleDefinition]
    public init(_ definitions: [RuleDefinition]) { self.definitions = definitions }
    public func match(_ request: some RuleRequest) -> RuleDefinition? { nil }
}
