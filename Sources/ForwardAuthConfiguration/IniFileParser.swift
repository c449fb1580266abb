import ForwardAuthWire

/// Reads an ini file of options into raw entries.
///
/// Lines are `key = value`, or the legacy `key value`; `#` and `;` start comment lines; `[section]` lines are
/// ignored (go-flags wrote them). A value in double quotes is unquoted, so `forward-token-prefix = "Bearer "`
/// keeps its space. Repeated keys accumulate lists.
///
/// A file named by `--config` is strict, as go-flags is there: an unknown key or a malformed line is a problem,
/// named by file and line. The file named by the `CONFIG` environment variable is lenient: go-flags drops that
/// file's error (and with it every later line), so a chart's `extraConfig` with a key the fork did not know
/// still started. Here such a line is skipped with a warning and the lines after it are read; one more warning
/// lists the keys the fork never applied because it stopped there. `rule.*` keys stay strict everywhere.
struct IniFileParser {
    var entries: [RawEntry] = []
    var problems: [String] = []
    var warnings: [String] = []

    init(_ text: String, path: String, source: SettingOrigin.Source) {
        let lenient = source == .environmentConfigFile
        // The first line the Go fork stopped at, and the keys it therefore never read.
        var goStop: (line: Int, key: String)?
        var keysAfterGoStop: [String] = []

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") { continue }
            let location = "\(path):\(offset + 1)"

            let key = String(line.prefix { !$0.isWhitespace && $0 != "=" })
            var rest = line.dropFirst(key.count).trimmingWhitespace()
            if rest.hasPrefix("=") { rest = rest.dropFirst().trimmingWhitespace() }
            let origin = SettingOrigin(source: source, spelling: key, location: location)
            let named = key.isEmpty ? "(line \(offset + 1))" : key
            if goStop != nil {
                keysAfterGoStop.append(named)
            } else if lenient, !GoForkOptions.knowsIniKey(key.lowercased()) {
                goStop = (offset + 1, named)
            }
            // Skipped with a warning where the Go fork had skipped it too (the CONFIG file), else a problem.
            func reject(_ text: String) {
                if lenient { warnings.append(text + "; skipped") } else { problems.append(text) }
            }

            guard !key.isEmpty else {
                reject("\(location): expected `key = value`")
                continue
            }
            guard let value = Self.unquoted(rest) else {
                reject("\(origin): unterminated quoted value")
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
                reject("\(location): unknown key \"\(key)\"" + (hint.map { " (did you mean \($0)?)" } ?? ""))
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

        if let goStop {
            let dropped =
                keysAfterGoStop.isEmpty
                ? "no later key" : "these later keys: " + keysAfterGoStop.joined(separator: ", ")
            warnings.append(
                "\(path):\(goStop.line): the Go fork v3.3.0 did not know \"\(goStop.key)\" and stopped reading \(path) "
                    + "there, so it never applied \(dropped); forward-auth reads them")
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
