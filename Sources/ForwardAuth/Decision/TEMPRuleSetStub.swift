// TEMP: lead's stand-in until the real RuleSet lands.
public struct RuleSetError: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
public struct RuleSet: Sendable {
    let definitions: [RuleDefinition]
    public init(_ definitions: [RuleDefinition]) throws(RuleSetError) { self.definitions = definitions }
    public func match(_ request: some RuleRequest) -> RuleDefinition? { nil }
}
