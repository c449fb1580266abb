import ForwardAuth
import Testing

@testable import ForwardAuthOIDC

@Suite("Rule set: priority and error collection")
struct RuleSetTests {
    @Test func emptySetsMatchNothing() throws {
        let request = TestRuleRequest()
        #expect(RuleSet().isEmpty)
        #expect(RuleSet().match(request) == nil)
        let empty = try RuleSet([])
        #expect(empty.isEmpty)
        #expect(empty.count == 0)
        #expect(empty.match(request) == nil)
    }

    @Test func matchReturnsTheWholeDefinition() throws {
        let definition = RuleDefinition(
            name: "public", action: .allow, rule: "PathPrefix(`/public`)", whitelist: ["a@example.com"],
            domains: ["example.com"], groups: ["devs"])
        let rules = try RuleSet([definition])
        #expect(rules.count == 1)
        #expect(!rules.isEmpty)
        #expect(rules.match(TestRuleRequest(path: "/public/x")) == definition)
        #expect(rules.match(TestRuleRequest(path: "/private")) == nil)
    }

    /// Longer rule text first; equal lengths by name; whatever order the definitions came in.
    @Test(arguments: [
        ("/a", "host-and-path"),
        ("/b", "host"),
    ])
    func longerRulesComeFirst(path: String, expected: String) throws {
        let definitions = [
            RuleDefinition(name: "host", rule: "Host(`app.example.com`)"),
            RuleDefinition(name: "host-and-path", rule: "Host(`app.example.com`) && Path(`/a`)"),
        ]
        for order in [definitions, definitions.reversed()] {
            let rules = try RuleSet(order)
            #expect(rules.match(TestRuleRequest(host: "app.example.com", path: path))?.name == expected)
        }
    }

    @Test func equalLengthsAreOrderedByName() throws {
        let definitions = [
            RuleDefinition(name: "zulu", action: .deny, rule: "Path(`/x`)"),
            RuleDefinition(name: "alpha", action: .allow, rule: "Path(`/x`)"),
            RuleDefinition(name: "mike", action: .auth, rule: "Path(`/x`)"),
        ]
        for order in [definitions, definitions.reversed()] {
            let rules = try RuleSet(order)
            #expect(rules.match(TestRuleRequest(path: "/x"))?.name == "alpha")
            #expect(rules.definitions.map(\.name) == ["alpha", "mike", "zulu"])
        }
    }

    @Test func definitionsAreListedInPriorityOrder() throws {
        let rules = try RuleSet([
            RuleDefinition(name: "b", rule: "Path(`/b`)"),
            RuleDefinition(name: "long", rule: "Path(`/long/path`)"),
            RuleDefinition(name: "a", rule: "Path(`/a`)"),
        ])
        #expect(rules.definitions.map(\.name) == ["long", "a", "b"])
    }

    @Test func everyErrorOfEveryRuleIsReported() {
        let definitions = [
            RuleDefinition(name: "ok", rule: "Host(`a.example.com`)"),
            RuleDefinition(name: "api", rule: "(Host(`a.example.com`)"),
            RuleDefinition(name: "fine", rule: "Path(`/x`)"),
            RuleDefinition(
                name: "many", rule: "Path(`a`) || Host(`x.com:1`) || HeadersRegexp(`X`, `(?=a)`) || Method(``)"),
        ]
        #expect(throws: RuleSetError.self) { try RuleSet(definitions) }
        do {
            _ = try RuleSet(definitions)
        } catch {
            #expect(error.errors.map(\.ruleName) == ["api", "many", "many", "many", "many"])
            #expect(error.errors.map(\.position) == [23, 7, 25, 53, 71])
            #expect(
                error.description == """
                    rule "api": expected ')' at position 23
                    rule "many": Path: path must start with '/' at position 7
                    rule "many": Host: host must not include a port (rules judge the host without port) at position 25
                    rule "many": HeadersRegexp: lookahead is not supported (RE2 syntax) at position 53
                    rule "many": empty argument to Method at position 71
                    """)
        }
    }

    @Test func errorsCompareByValue() {
        #expect(RuleTesting.errors("Host(") == RuleTesting.errors("Host("))
        #expect(RuleTesting.errors("Host(") != RuleTesting.errors("Host(`a`"))
        #expect(RuleTesting.errors("Host(") != RuleTesting.errors("  Host("))
    }
}
