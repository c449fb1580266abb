import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire

extension ConfigurationReader {
    /// The `rule.NAME.*` blocks as definitions, in order of first appearance, and compiled by `RuleSet`.
    ///
    /// Each field follows the usual precedence on its own (a flag's `rule.a.rule` replaces the file's, the file's
    /// `rule.a.action` stays). Nil when any rule is invalid; every problem is recorded, `RuleSet`'s included.
    mutating func rules() -> (definitions: [RuleDefinition], compiled: RuleSet)? {
        let before = problems.count
        var definitions: [RuleDefinition] = []
        for name in settings.ruleNames {
            var action = RuleAction.auth
            if let entry = ruleEntry(name, "action") {
                let value = String(entry.value.trimmingWhitespace())
                if let parsed = RuleAction(rawValue: value.lowercased()) {
                    action = parsed
                } else {
                    let choices = RuleAction.allCases.map(\.rawValue).joined(separator: ", ")
                    problem("\(entry.origin): \"\(value)\" is not one of \(choices)")
                }
            }
            if let entry = ruleEntry(name, "provider"), entry.value.trimmingWhitespace().lowercased() != "oidc" {
                problem("\(entry.origin): \"\(entry.value)\" is not supported; only oidc")
            }
            guard let rule = ruleEntry(name, "rule").map({ String($0.value.trimmingWhitespace()) }), !rule.isEmpty
            else {
                problem("rule \(name): has no matcher; set rule.\(name).rule")
                continue
            }
            definitions.append(
                RuleDefinition(
                    name: name, action: action, rule: rule, whitelist: ruleList(name, "whitelist"),
                    domains: ruleList(name, "domains"), groups: ruleList(name, "groups")))
        }
        // Compile what is well-formed even when another rule is not, so matcher errors are reported too.
        let compiled: RuleSet
        do {
            compiled = try RuleSet(definitions)
        } catch {
            // One line per bad rule, as `RuleSetError` describes itself.
            for line in error.description.split(separator: "\n") { problem(String(line)) }
            return nil
        }
        for warning in compiled.warnings { warn(warning) }
        return problems.count == before ? (definitions, compiled) : nil
    }

    private mutating func ruleEntry(_ name: String, _ field: String) -> RawEntry? {
        let entries = settings.entries(for: .rule(name: name, field: field))
        guard let last = entries.last else { return nil }
        if Set(entries.map(\.value)).count > 1 {
            warn("\(last.origin) is given \(entries.count) times with different values; the last one wins")
        }
        return last
    }

    private func ruleList(_ name: String, _ field: String) -> [String] {
        var items: [String] = []
        for entry in settings.entries(for: .rule(name: name, field: field)) {
            for item in ValueSyntax.listItems(entry.value, splitOnWhitespace: false) where !items.contains(item) {
                items.append(item)
            }
        }
        return items
    }
}
