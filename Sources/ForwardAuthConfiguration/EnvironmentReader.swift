/// Reads the known environment variables into raw entries.
///
/// Unknown variables are ignored (the environment holds plenty that is not ours). Empty values count as unset,
/// because charts often render `NAME=""` for a value they do not have. When several names of one option are
/// set (`PROVIDER_URI` and `PROVIDERS_OIDC_ISSUER_URL`), the first in the table wins, with a warning if they differ.
struct EnvironmentReader {
    var entries: [RawEntry] = []
    var warnings: [String] = []

    init(_ environment: [String: String]) {
        for option in ConfigurationOption.all {
            let given = option.environmentNames.compactMap { name in
                environment[name].flatMap { $0.isEmpty ? nil : (name: name, value: $0) }
            }
            guard let first = given.first else { continue }
            for other in given.dropFirst() where other.value != first.value {
                warnings.append("\(first.name) and \(other.name) are both set and differ; using \(first.name)")
            }
            let origin = SettingOrigin(source: .environment, spelling: first.name, location: nil)
            entries.append(RawEntry(key: .option(option.name), value: first.value, origin: origin))
        }
    }
}
