import ForwardAuthWire

/// The raw values of every source, grouped by key and source, highest precedence first.
///
/// For each key the entries of the highest source that gives it win; within that source they keep their order,
/// so lists accumulate and the last scalar wins. The lower sources stay for a value ignored as Go ignores it
/// (`entries(for:below:)`).
struct RawSettings: Sendable {
    /// Per key, the groups of one source each, the highest source first.
    private var groups: [SettingKey: [[RawEntry]]] = [:]
    /// Rule names in order of first appearance, so rule order is stable.
    private(set) var ruleNames: [String] = []

    init(_ all: [RawEntry]) {
        var bySource: [SettingKey: [SettingOrigin.Source: [RawEntry]]] = [:]
        for entry in all {
            if case .rule(let name, _) = entry.key, !ruleNames.contains(name) {
                ruleNames.append(name)
            }
            bySource[entry.key, default: [:]][entry.origin.source, default: []].append(entry)
        }
        groups = bySource.mapValues { sources in
            sources.sorted { $0.key > $1.key }.map(\.value)
        }
    }

    /// The winning entries for `key`, all from one source; empty when no source gives it.
    func entries(for key: SettingKey) -> [RawEntry] {
        groups[key]?.first ?? []
    }

    func entries(for option: String) -> [RawEntry] {
        entries(for: .option(option))
    }

    /// The entries of the highest source below `source` that gives `option`; empty when none does.
    func entries(for option: String, below source: SettingOrigin.Source) -> [RawEntry] {
        groups[.option(option)]?.first { $0[0].origin.source < source } ?? []
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
