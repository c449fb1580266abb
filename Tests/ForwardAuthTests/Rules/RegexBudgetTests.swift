import Testing

@testable import ForwardAuth

/// Issue 15: regex rules share one budget per request, and nested quantifiers are warned about at start-up.
@Suite("Regex budget per request")
struct RegexBudgetTests {
    static let runaway = "^(?:x+x+)+y$"
    static let hostile = String(repeating: "x", count: 64)

    /// Each runaway match spends its own bound of the request's budget; once the budget is spent, no regex runs:
    /// counted in ICU progress reports, not in time.
    @Test func runawayMatchesSpendTheRequestsBudget() throws {
        let regex = try #require(BoundedRegex(icuPattern: Self.runaway, anchored: true, maximumInputLength: 8192))
        var budget = RegexBudget()
        #expect(budget.reports == 2 * BoundedRegex.progressBudget)
        #expect(!regex.matches(Self.hostile, budget: &budget))
        #expect(budget.reports == BoundedRegex.progressBudget)
        #expect(!regex.matches(Self.hostile, budget: &budget))
        #expect(budget.reports == 0)
        // Spent: even a cheap match no longer runs.
        let cheap = try #require(BoundedRegex(icuPattern: "^ok$", anchored: true, maximumInputLength: 8192))
        #expect(!cheap.matches("ok", budget: &budget))
        var fresh = RegexBudget()
        #expect(cheap.matches("ok", budget: &fresh))
        #expect(fresh.reports == RegexBudget.perRequest)
    }

    /// Across rules: three runaway rules and many header values cost the same bounded budget as two.
    @Test func theBudgetIsSharedAcrossRulesAndValues() throws {
        let rules = try RuleSet(
            (1...3).map { RuleDefinition(name: "r\($0)", rule: "HeadersRegexp(`X-Token`, `\(Self.runaway)`)") }
                + [RuleDefinition(name: "plain", rule: "PathPrefix(`/`)")])
        let request = TestRuleRequest(headers: Array(repeating: ("X-Token", Self.hostile), count: 10))
        // The literal rule still decides: literals never depend on the budget.
        #expect(rules.match(request)?.name == "plain")
    }

    @Test(arguments: [
        ("(a+)+", true), ("(?:x*y?)*", true), ("(a{2,})*", true), ("(a+){2}", true), ("((ab)*c)+", true),
        ("(a|b)+", false), ("a+b+", false), ("(ab)+", false), ("[(a+)]+", false), ("\\(a+\\)+", false),
        ("(a+)?", false), ("((a)+)", false), ("(a+)b+", false), ("\\x{41}+(b)*", false), ("(?i)(ab)+", false),
    ])
    func nestedQuantifiersAreFound(pattern: String, nested: Bool) {
        #expect(BoundedRegex.hasNestedQuantifier(pattern) == nested)
    }

    @Test func theWarningIsSaidAtStartUp() throws {
        let (_, warnings) = try ConfigurationInput.valid(["--rule.slow.rule=HeadersRegexp(`X-A`, `^(a+)+$`)"])
        #expect(warnings.contains { $0.hasPrefix("rule slow: a regular expression with a nested quantifier") })
        let (_, none) = try ConfigurationInput.valid(["--rule.fine.rule=HeadersRegexp(`X-A`, `^a+$`)"])
        #expect(!none.contains { $0.contains("nested quantifier") })
    }

    @Test func aRuleWithANestedQuantifierIsWarnedAbout() throws {
        let rules = try RuleSet([
            RuleDefinition(name: "slow", rule: "HeadersRegexp(`X-A`, `^(a+)+$`)"),
            RuleDefinition(name: "fine", rule: "HeadersRegexp(`X-B`, `^[a-z]+$`) || Host(`{sub:[a-z]+}.example.com`)"),
        ])
        #expect(rules.warnings.count == 1)
        #expect(rules.warnings.first?.hasPrefix("rule slow: ") == true)
    }
}
