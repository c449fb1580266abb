import ForwardAuth

/// One setting of forward-auth: every name it answers to, its default and its help text.
///
/// The table of these, `ConfigurationOption.all`, is the single source for flag parsing, environment lookup,
/// ini keys, `--help` and `docs/configuration.md`, so a name cannot be accepted in one place and missing in another.
package struct ConfigurationOption: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable {
        case string, int, bool, list, secret, path
    }

    /// The canonical name: flag `--<name>`, ini key `<name>`.
    package let name: String
    /// Further flag names (also ini keys), e.g. thomseddon's `providers.oidc.issuer-url`.
    package let flagAliases: [String]
    /// Environment variable names, the preferred first; when several are set the first wins.
    package let environmentNames: [String]
    /// Further ini keys only, e.g. DKP's `groups-session-name`.
    package let iniAliases: [String]
    /// The default as an operator would write it; nil when there is none.
    package let defaultValue: String?
    package let kind: Kind
    /// The value never appears in output (`secret` kind, or a list of secrets).
    package let isSecret: Bool
    package let isRequired: Bool
    package let help: String
    /// For a `*-file` option: the name of the secret option whose value the file holds.
    package let fileFor: String?
    /// Lists only: whitespace separates items as well as commas (`scope`, which the Go fork took as one string).
    package let splitsOnWhitespace: Bool

    init(
        _ name: String, env: [String], kind: Kind = .string, default defaultValue: String? = nil,
        flagAliases: [String] = [], iniAliases: [String] = [], secret: Bool = false, required: Bool = false,
        fileFor: String? = nil, splitsOnWhitespace: Bool = false, help: String
    ) {
        self.name = name
        self.flagAliases = flagAliases
        self.environmentNames = env
        self.iniAliases = iniAliases
        self.defaultValue = defaultValue
        self.kind = kind
        self.isSecret = secret || kind == .secret
        self.isRequired = required
        self.help = help
        self.fileFor = fileFor
        self.splitsOnWhitespace = splitsOnWhitespace
    }

    /// Every accepted flag name, without dashes.
    package var flagNames: [String] { [name] + flagAliases }

    /// Every accepted ini key.
    package var iniKeys: [String] { flagNames + iniAliases }

    /// How problems name this option: `--provider-uri / PROVIDER_URI`.
    package var spelling: String {
        (["--" + name] + environmentNames.prefix(1)).joined(separator: " / ")
    }

    /// The option called `name` (canonical or alias) on the command line or in an ini file.
    static func named(_ name: String, iniKey: Bool = false) -> ConfigurationOption? {
        let index = iniKey ? byIniKey : byFlag
        return index[iniKey ? name.lowercased() : name]
    }

    static func canonical(_ name: String) -> ConfigurationOption? {
        all.first { $0.name == name }
    }

    private static let byFlag: [String: ConfigurationOption] = Dictionary(
        all.flatMap { option in option.flagNames.map { ($0, option) } }, uniquingKeysWith: { first, _ in first })

    private static let byIniKey: [String: ConfigurationOption] = Dictionary(
        all.flatMap { option in option.iniKeys.map { ($0.lowercased(), option) } },
        uniquingKeysWith: { first, _ in first })

    /// The known name closest to a misspelt one, for "did you mean" hints; nil when nothing is close.
    static func suggestion(for unknown: String, among names: [String]) -> String? {
        let target = Array(unknown.lowercased())
        var best: (name: String, distance: Int)?
        for name in names {
            let distance = editDistance(target, Array(name.lowercased()))
            if distance <= max(2, target.count / 4), distance < (best?.distance ?? .max) {
                best = (name, distance)
            }
        }
        return best?.name
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
