import ForwardAuthWire

/// Reads the ini file named by `config` into raw entries.
///
/// Lines are `key = value`, or the legacy `key value`; `#` and `;` start comment lines; `[section]` lines are
/// ignored (go-flags wrote them). A value in double quotes is unquoted, so `forward-token-prefix = "Bearer "`
/// keeps its space. Repeated keys accumulate lists. Unknown keys are problems, named by file and line.
struct IniFileParser {
    var entries: [RawEntry] = []
    var problems: [String] = []
    var warnings: [String] = []

    init(_ text: String, path: String) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") { continue }
            let location = "\(path):\(offset + 1)"

            let key = String(line.prefix { !$0.isWhitespace && $0 != "=" })
            var rest = line.dropFirst(key.count).trimmingWhitespace()
            if rest.hasPrefix("=") { rest = rest.dropFirst().trimmingWhitespace() }
            let origin = SettingOrigin(source: .file, spelling: key, location: location)
            guard !key.isEmpty else {
                problems.append("\(location): expected `key = value`")
                continue
            }
            guard let value = Self.unquoted(rest) else {
                problems.append("\(origin): unterminated quoted value")
                continue
            }

            if key.lowercased().hasPrefix("rule.") {
                let parsed = SettingKey.rule(parsing: key)
                guard let ruleKey = parsed.key else {
                    problems.append("\(origin): \(parsed.problem ?? "invalid rule key")")
                    continue
                }
                entries.append(RawEntry(key: ruleKey, value: value, origin: origin))
                continue
            }
            guard let option = ConfigurationOption.named(key, iniKey: true) else {
                let hint = ConfigurationOption.suggestion(for: key, among: ConfigurationOption.all.flatMap(\.iniKeys))
                problems.append("\(location): unknown key \"\(key)\"" + (hint.map { " (did you mean \($0)?)" } ?? ""))
                continue
            }
            if option.name == "config" {
                warnings.append("\(origin): ignored; a config file cannot name another")
                continue
            }
            // A bare boolean key reads like a bare boolean flag.
            let effective = option.kind == .bool && value.isEmpty ? "true" : value
            entries.append(RawEntry(key: .option(option.name), value: effective, origin: origin))
        }
    }

    /// `"a \"b\""` → `a "b"`; text not starting with a quote is returned as is; nil when the quote is not closed.
    private static func unquoted(_ text: Substring) -> String? {
        guard text.hasPrefix("\"") else { return String(text) }
        var result = ""
        var escaped = false
        for (index, character) in text.dropFirst().enumerated() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                // Only trailing whitespace may follow the closing quote.
                let after = text.dropFirst().dropFirst(index + 1)
                return after.allSatisfy(\.isWhitespace) ? result : nil
            } else {
                result.append(character)
            }
        }
        return nil
    }
}
