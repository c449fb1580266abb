import ForwardAuthOIDC

/// Reads command-line arguments (without the executable's name) into raw entries.
///
/// Accepts `--name value`, `--name=value`, booleans as `--flag` or `--flag=true|false`, and `rule.NAME.FIELD`
/// flags. Every unknown flag or stray argument becomes one problem; values are not interpreted here.
struct CommandLineParser {
    var entries: [RawEntry] = []
    var problems: [String] = []
    var wantsHelp = false
    var wantsVersion = false

    init(_ arguments: [String]) {
        // Help wins wherever it stands, even after a flag that would take it as its value.
        let options = arguments.prefix { $0 != "--" }
        wantsHelp = options.contains("--help") || options.contains("-h")
        var index = 0
        func nextValue() -> String? {
            // A following flag is not a value: `--client-id --secret=x` lacks the client id.
            guard index < arguments.count, !arguments[index].hasPrefix("--") else { return nil }
            defer { index += 1 }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--help", "-h":
                continue
            case "--version":
                wantsVersion = true
                continue
            case "--":
                for stray in arguments[index...] { problems.append("unexpected argument \"\(stray)\"") }
                index = arguments.count
                continue
            default:
                break
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                problems.append("unexpected argument \"\(argument)\" (options start with --)")
                continue
            }
            let body = argument.dropFirst(2)
            let name: String
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            let origin = SettingOrigin(source: .commandLine, spelling: "--" + name, location: nil)

            if name.hasPrefix("rule.") {
                let parsed = SettingKey.rule(parsing: name)
                guard let key = parsed.key else {
                    problems.append("\(origin): \(parsed.problem ?? "invalid rule key")")
                    if inlineValue == nil { _ = nextValue() }
                    continue
                }
                guard let value = inlineValue ?? nextValue() else {
                    problems.append("\(origin): needs a value")
                    continue
                }
                entries.append(RawEntry(key: key, value: value, origin: origin))
                continue
            }

            guard let option = ConfigurationOption.named(name) else {
                let hint = ConfigurationOption.suggestion(
                    for: name, among: ConfigurationOption.all.flatMap(\.flagNames) + ["help", "version"])
                problems.append("unknown option \(origin)" + (hint.map { " (did you mean --\($0)?)" } ?? ""))
                // Its value, if any, belongs to it: do not report it again as a stray argument.
                if inlineValue == nil { _ = nextValue() }
                continue
            }
            let value: String?
            if option.kind == .bool {
                // Booleans never take the next argument, as with Go's flags: `--enable-rbac false` is an error.
                value = inlineValue ?? "true"
            } else if option.isSecret, inlineValue == nil, index < arguments.count {
                // A secret may start with "--"; never mistake it for a flag and echo it in a problem.
                value = arguments[index]
                index += 1
            } else {
                value = inlineValue ?? nextValue()
            }
            guard let value else {
                problems.append("\(origin): needs a value")
                continue
            }
            entries.append(RawEntry(key: .option(option.name), value: value, origin: origin))
        }
    }
}
