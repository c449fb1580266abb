import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import FuzzSupport

// The rule parser and compiler: rules come from the operator, but a bad one must be an error naming the
// place, never a trap, and a compiled one must match in bounded time (the regexes run on client input).
//
// Input: the whole input is one rule's matcher expression.

/// A request as rules see it, without the forwarded-header parsing in front.
private struct Probe: RuleRequest {
    var method: String
    var host: String
    var path: String
    var query: String
    var headers: [(name: String, value: String)]

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }
}

private let probes = [
    Probe(method: "GET", host: "app.example.com", path: "/", query: "", headers: []),
    Probe(
        method: "POST", host: "api.example.com", path: "/api/v1/users", query: "debug=1&page=2",
        headers: [("X-Role", "admin"), ("Content-Type", "application/json")]),
    Probe(method: "DELETE", host: "[::1]", path: "/admin/../x/", query: "a=%ZZ&b=+", headers: [("X-Role", "")]),
    Probe(method: "GET", host: "bücher.de", path: "/späť", query: "q=é", headers: [("X-Data", "ä;b")]),
    // Long values, where a regex without a budget would take forever.
    Probe(
        method: "PATCH", host: String(repeating: "a.", count: 126) + "com",
        path: "/" + String(repeating: "x", count: 8191), query: "q=" + String(repeating: "a", count: 8190),
        headers: [
            ("X-Token", String(repeating: "x", count: 8192) + "!"), ("X-Data", String(repeating: "ab", count: 4096)),
        ]),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuleParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    guard let rules = compile(text) else { return 0 }
    let matches = probes.map { rules.match($0) != nil }

    // The negation compiles too (unless it nests one level too deep) and matches exactly the other requests.
    guard let negated = compile("!(\(text))", nestingMayOverflow: true) else { return 0 }
    for (probe, matched) in zip(probes, matches) {
        invariant((negated.match(probe) != nil) != matched, "!(rule) is not the complement on \(probe.path.prefix(40))")
    }
    return 0
}

/// The compiled rule, or nil after checking that every error names the rule and a position inside it.
private func compile(_ text: String, nestingMayOverflow: Bool = false) -> RuleSet? {
    do {
        let rules = try RuleSet([RuleDefinition(name: "fuzz", rule: text)])
        invariant(rules.count == 1, "one definition compiled into \(rules.count) rules")
        return rules
    } catch {
        invariant(!error.errors.isEmpty, "a rule was refused without a reason")
        let characters = text.count
        for problem in error.errors {
            invariant(problem.ruleName == "fuzz", "an error names another rule")
            invariant(
                (1...characters + 1).contains(problem.position),
                "position \(problem.position) outside a rule of \(characters) characters")
            invariant(!problem.message.isEmpty, "an error without a message")
        }
        invariant(
            !nestingMayOverflow || error.errors.allSatisfy { $0.message == "expression nested too deeply" },
            "a rule compiles but its negation does not: \(error)")
        return nil
    }
}
