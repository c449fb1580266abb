/// The configured rules, compiled once, answering "which rule decides this request?".
///
/// Guarantees:
/// - Every rule is compiled at `init`; a set that exists has no syntax errors, and no regex is compiled per
///   request. `init` reports every problem of every rule at once (`RuleSetError`).
/// - `match` returns the first matching rule in priority order: longer rule text first (Traefik's default
///   priority is the rule's length in bytes), equal lengths by name. This is our documented choice: the Go fork
///   gives every rule the same priority, so its order among overlapping rules is unspecified.
/// - Matching follows Traefik v2 as the Go fork runs it: `Host`/`HostRegexp` (case-insensitive, templates
///   allowed, judged without port), `Path` (whole path), `PathPrefix` (plain prefix: `/api` also matches
///   `/apix`), `Method` (case-insensitive), `Headers` (exact value), `HeadersRegexp` (unanchored Go regex),
///   `Query` (`key=value`), combined with `!`, `&&`, `||` and parentheses.
/// - Regexes are Go RE2 syntax; what RE2 refuses is refused here. Each regex match is bounded: a host over
///   253 bytes, or a path, header value or query value over 8192 bytes, never matches a regex (literal
///   comparisons still apply), and a match that exceeds its work budget counts as no match (`BoundedRegex`), as
///   does every regex after the request's budget across all rules is spent (`RegexBudget`).
///   So a rule that should catch hostile requests (`deny`) is best written with literals (`PathPrefix`) where it
///   can be.
/// - `match` does not allocate for rules made of plain (template-free) `Host`, `Path`, `PathPrefix` and `Method`
///   matchers.
package struct RuleSet: Sendable {
    /// Parallel arrays in priority order: `match` walks the expressions and copies a definition only on a match.
    private let expressions: [RuleExpression]
    /// The definitions in the order `match` tries them.
    package let definitions: [RuleDefinition]
    /// What the operator should hear at start-up: rules whose regexes have nested quantifiers.
    package let warnings: [String]

    /// No rules: every request gets the default action.
    package init() {
        expressions = []
        definitions = []
        warnings = []
    }

    /// Compiles every definition; throws every problem found, in definition order.
    package init(_ definitions: [RuleDefinition]) throws(RuleSetError) {
        var compiled: [(index: Int, definition: RuleDefinition, expression: RuleExpression)] = []
        var errors: [RuleError] = []
        for (index, definition) in definitions.enumerated() {
            var issues: [RuleIssue] = []
            if let expression = RuleCompiler.compile(definition.rule, issues: &issues) {
                compiled.append((index, definition, expression))
            }
            errors += issues.map { $0.error(in: definition) }
        }
        guard errors.isEmpty else { throw RuleSetError(errors: errors) }
        compiled.sort { left, right in
            let (a, b) = (left.definition, right.definition)
            if a.rule.utf8.count != b.rule.utf8.count { return a.rule.utf8.count > b.rule.utf8.count }
            if a.name != b.name { return a.name < b.name }
            return left.index < right.index
        }
        self.expressions = compiled.map(\.expression)
        self.definitions = compiled.map(\.definition)
        self.warnings = compiled.filter { $0.expression.regexes.contains(where: \.hasNestedQuantifier) }.map {
            "rule \($0.definition.name): a regular expression with a nested quantifier (such as (a+)+) can take "
                + "long on hostile input; its matches are bounded (a match or request over budget does not match)"
        }
    }

    package var isEmpty: Bool { definitions.isEmpty }
    package var count: Int { definitions.count }

    /// The highest-priority rule whose expression matches the request, or nil (then the default action applies).
    package func match(_ request: some RuleRequest) -> RuleDefinition? {
        matchIndex(request).map { definitions[$0] }
    }

    /// The position in `definitions` of the rule `match` returns: for counting by rule without a name lookup.
    package func matchIndex(_ request: some RuleRequest) -> Int? {
        var budget = RegexBudget()
        return expressions.indices.first { expressions[$0].evaluate(request, budget: &budget) }
    }
}
