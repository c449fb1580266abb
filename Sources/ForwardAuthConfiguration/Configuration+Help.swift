import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire

extension Configuration {
    /// The `--help` text: every option with its flag, aliases, environment names, default and description.
    /// Secret options show `(secret)`, never a value.
    package static func helpText() -> String {
        var lines = [
            "Usage: forward-auth [options]",
            "",
            "Answers Traefik ForwardAuth requests, logging users in through an OpenID Connect provider.",
            "",
            "Each option is a flag (--name value, --name=value; booleans --name or --name=false), an environment",
            "variable, or a line `name = value` in an ini file. As in the Go traefik-forward-auth: flags win over",
            "the environment; a file named by --config counts where that flag stands; a file named by the CONFIG",
            "variable is read last and wins over both (there an unknown key or a bad boolean, number or choice is",
            "skipped with a warning). Lists take comma-separated values or a repeated flag.",
            "",
            "Options:",
        ]
        for option in ConfigurationOption.all {
            lines.append("  --\(option.name)\(placeholder(option.kind))")
            lines.append("      \(option.help)")
            lines.append("      " + facts(option).joined(separator: "; "))
        }
        lines += [
            "  --help, -h",
            "      Print this help and exit.",
            "  --version",
            "      Print the version and exit.",
            "",
            "Rules (flags or ini file, not environment; first matching rule decides):",
        ]
        for (field, help) in ConfigurationOption.ruleFields {
            lines.append("  --rule.NAME.\(field) <value>")
            lines.append("      \(help)")
        }
        lines += [
            "",
            "Environment only (not options), read as Go reads them:",
            "  HTTPS_PROXY, HTTP_PROXY (or lower case)",
            "      Proxy for the calls to the identity provider and the Kubernetes API (https and http URLs).",
            "  NO_PROXY (or no_proxy)",
            "      Hosts reached directly: domain suffixes, IPs, CIDRs, :port, * (loopback is never proxied).",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same options as a Markdown table, for `docs/configuration.md`.
    package static func markdownOptionTable() -> String {
        var lines = [
            "| Flag | Environment | Default | Description |",
            "|---|---|---|---|",
        ]
        func code(_ text: String) -> String { "`\(text)`" }
        for option in ConfigurationOption.all {
            let flags = option.flagNames.map { code("--" + $0) }.joined(separator: "<br>")
            let environment = option.environmentNames.map(code).joined(separator: "<br>")
            let defaultValue: String
            if option.isRequired {
                defaultValue = "required"
            } else if let value = option.defaultValue {
                defaultValue = code(value)
            } else {
                defaultValue = "—"
            }
            var description = option.help
            if !option.iniAliases.isEmpty {
                description += " Also ini key " + option.iniAliases.map(code).joined(separator: ", ") + "."
            }
            if option.kind == .list { description += " List." }
            if option.isSecret { description += " Secret: never logged." }
            lines.append(
                "| \(flags) | \(environment) | \(defaultValue) | \(description.markdownEscaped()) |")
        }
        for (field, help) in ConfigurationOption.ruleFields {
            lines.append(
                "| `--rule.NAME.\(field)` | — | \(field == "action" ? "`auth`" : "—") | \(help.markdownEscaped()) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func placeholder(_ kind: ConfigurationOption.Kind) -> String {
        switch kind {
        case .string: " <text>"
        case .int: " <int>"
        case .bool: "[=true|false]"
        case .list: " <a,b,...>"
        case .secret: " <secret>"
        case .path: " <path>"
        }
    }

    /// `env PORT; default 4181`, aliases, `required`, `(secret)`.
    private static func facts(_ option: ConfigurationOption) -> [String] {
        var facts = ["env " + option.environmentNames.joined(separator: ", ")]
        if option.isRequired { facts.append("required") }
        if option.isSecret { facts.append("(secret)") }
        if let value = option.defaultValue {
            // Quote a default whose edges are spaces, such as "Bearer ".
            let shown = value.trimmingWhitespace().count == value.count ? value : "\"\(value)\""
            facts.append("default \(shown)")
        }
        if !option.flagAliases.isEmpty {
            facts.append("also " + option.flagAliases.map { "--" + $0 }.joined(separator: ", "))
        }
        if !option.iniAliases.isEmpty {
            facts.append("ini also " + option.iniAliases.joined(separator: ", "))
        }
        return facts
    }
}

extension String {
    /// Text for a Markdown table cell: `|` always escaped (GFM needs it even in code spans); `<`, `>`, `*`, `_`
    /// escaped outside code spans so `<uri>` or `**` show as written.
    fileprivate func markdownEscaped() -> String {
        var result = ""
        var inCode = false
        for character in self {
            if character == "`" { inCode.toggle() }
            if character == "|" || (!inCode && "<>*_".contains(character)) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
