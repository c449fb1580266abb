import ForwardAuth
import Testing

/// Regexes run on a backtracking engine; these requests would take seconds to hours without the bounds.
@Suite("Regex work and input bounds")
struct RegexBoundsTests {
    static func elapsed(_ body: () throws -> Void) rethrows -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return clock.now - start
    }

    /// Exponential backtracking for ICU (RE2 accepts the pattern and runs it in linear time): stopped by the
    /// work budget, counted as no match.
    @Test func catastrophicBacktrackingIsCutShort() throws {
        let rules = try RuleSet([RuleDefinition(name: "r", rule: "HeadersRegexp(`X-Token`, `^(?:x+x+)+y$`)")])
        let request = TestRuleRequest(headers: [("X-Token", String(repeating: "x", count: 64))])
        var matched: RuleDefinition?
        let time = Self.elapsed { matched = rules.match(request) }
        #expect(matched == nil)
        #expect(time < .seconds(1))
    }

    /// Quadratic for an unanchored search over a huge header: refused by the input bound before any work.
    @Test func overLongHeaderIsNotSearched() throws {
        let rules = try RuleSet([RuleDefinition(name: "r", rule: "HeadersRegexp(`X-Data`, `(?:a|b)*c`)")])
        let request = TestRuleRequest(headers: [("X-Data", String(repeating: "a", count: 1_000_000))])
        var matched: RuleDefinition?
        let time = Self.elapsed { matched = rules.match(request) }
        #expect(matched == nil)
        #expect(time < .seconds(1))
    }

    @Test(arguments: [(8191, true), (8192, false)])
    func headerBoundIsInclusive(prefixLength: Int, matches: Bool) throws {
        let value = String(repeating: "a", count: prefixLength) + "c"
        #expect(
            try RuleTesting.matches("HeadersRegexp(`X`, `c$`)", TestRuleRequest(headers: [("X", value)])) == matches)
    }

    @Test func overLongHostDoesNotMatchATemplate() throws {
        let label = String(repeating: "a", count: 241)
        let rule = "Host(`{sub:[a-z]+}.example.com`)"
        #expect(try RuleTesting.matches(rule, TestRuleRequest(host: label + ".example.com")))  // 253 bytes
        #expect(try !RuleTesting.matches(rule, TestRuleRequest(host: label + "a.example.com")))  // 254 bytes
    }

    /// Literal matchers are linear and never refused for length; only the regex ones are.
    @Test func overLongPathStillMatchesLiterals() throws {
        let path = "/api/" + String(repeating: "x", count: 9000)
        #expect(try RuleTesting.matches("PathPrefix(`/api/`)", TestRuleRequest(path: path)))
        #expect(try !RuleTesting.matches("Path(`/api/{rest:.*}`)", TestRuleRequest(path: path)))
        #expect(
            try RuleTesting.matches(
                "Path(`/api/{rest:.*}`)", TestRuleRequest(path: "/api/" + String(repeating: "x", count: 8000))))
    }
}
