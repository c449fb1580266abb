import ForwardAuthWire

/// The raw values that win under the precedence flags > environment > file.
///
/// For each key only the entries of the highest source that gives it survive; within that source they keep
/// their order, so lists accumulate and the last scalar wins.
struct RawSettings: Sendable {
    private var entries: [SettingKey: [RawEntry]] = [:]
    /// Rule names in order of first appearance (file, then flags), so rule order is stable.
    private(set) var ruleNames: [String] = []

    init(_ all: [RawEntry]) {
        for entry in all {
            if case .rule(let name, _) = entry.key, !ruleNames.contains(name) {
                ruleNames.append(name)
            }
            switch entries[entry.key]?.first?.origin.source {
            case .some(let current) where entry.origin.source < current:
                continue
            case .some(let current) where entry.origin.source == current:
                entries[entry.key, default: []].append(entry)
            default:
                entries[entry.key] = [entry]
            }
        }
    }

    /// The surviving entries for `key`, all from one source; empty when no source gives it.
    func entries(for key: SettingKey) -> [RawEntry] {
        entries[key] ?? []
    }

    func entries(for option: String) -> [RawEntry] {
        entries(for: .option(option))
    }
}

extension SettingKey {
    /// Parses `rule.NAME.FIELD` (the caller has seen the `rule.` prefix). Returns the key, or why it is not one.
    static func rule(parsing key: String) -> (key: SettingKey?, problem: String?) {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "rule", !parts[1].isEmpty, !parts[2].isEmpty else {
            return (nil, "rule keys have the form rule.NAME.FIELD (NAME without dots)")
        }
        let field = parts[2].lowercased()
        guard ConfigurationOption.ruleFields.contains(where: { $0.field == field }) else {
            let fields = ConfigurationOption.ruleFields.map(\.field).joined(separator: ", ")
            return (nil, "unknown rule field \"\(parts[2])\" (expected one of: \(fields))")
        }
        return (.rule(name: String(parts[1]), field: field), nil)
    }
}
