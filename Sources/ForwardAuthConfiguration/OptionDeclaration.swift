import ForwardAuth
import ForwardAuthWire
import Foundation

/// One option, declared once: its names, kind and help (`option`, from which the command line, the environment and
/// ini readers, `--help` and docs/configuration.md work), the `Configuration` field it sets, whose initial value is
/// the default `--help` shows, how its value is read and checked, and how the start-up log prints it.
///
/// The table is `OptionDeclaration.all` (OptionDeclaration+Table.swift); `Configuration.build` applies it in order.
/// Checks across options are `Configuration+Checks.swift`'s.
struct OptionDeclaration: Sendable {
    let option: ConfigurationOption
    /// Reads the option into the configuration; problems and warnings go to the reader.
    let apply: @Sendable (inout ConfigurationReader, inout Configuration) -> Void
    /// The value as the start-up log prints it; nil: not printed (a `*-file` option, a check).
    let printed: (@Sendable (Configuration) -> String)?

    /// An option that sets `field`. `read` gets the option's name and the field's default, and returns the value.
    static func field<Value: OptionValue>(
        _ name: String, env: [String], kind: ConfigurationOption.Kind = .string, flagAliases: [String] = [],
        iniAliases: [String] = [], secret: Bool = false, required: Bool = false, splitsOnWhitespace: Bool = false,
        help: String, _ field: any WritableKeyPath<Configuration, Value> & Sendable,
        read: @escaping @Sendable (inout ConfigurationReader, String, Value) -> Value
    ) -> OptionDeclaration {
        let separator = splitsOnWhitespace ? " " : ","
        let defaultValue = Configuration.defaults[keyPath: field]
        return OptionDeclaration(
            option: ConfigurationOption(
                name, env: env, kind: kind, default: defaultValue.defaultText(listSeparator: separator),
                flagAliases: flagAliases, iniAliases: iniAliases, secret: secret, required: required,
                splitsOnWhitespace: splitsOnWhitespace, help: help),
            apply: { reader, configuration in
                configuration[keyPath: field] = read(&reader, name, defaultValue)
            },
            printed: { $0[keyPath: field].printedText(listSeparator: separator) })
    }

    /// An option that sets no field of its own: a `*-file` option (read with its secret), an option kept for old
    /// charts, a check. `apply` may warn or report problems.
    static func other(
        _ option: ConfigurationOption,
        apply: @escaping @Sendable (inout ConfigurationReader, inout Configuration) -> Void = { _, _ in },
        printed: (@Sendable (Configuration) -> String)? = nil
    ) -> OptionDeclaration {
        OptionDeclaration(option: option, apply: apply, printed: printed)
    }
}

extension Configuration {
    /// Every field at its default: what `OptionDeclaration.field` shows as each option's default.
    static let defaults = Configuration(
        providerURI: URL(fileURLWithPath: "/"), clientID: "", clientSecret: Secret(""), secret: Secret(""))
}
