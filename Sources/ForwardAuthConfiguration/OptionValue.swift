import ForwardAuth
import ForwardAuthWire
import Foundation

/// A `Configuration` field's type, as an option shows it: its default in `--help` and docs/configuration.md, and its
/// value in `Configuration.description`. The default shown is the field's initial value, so it is written once.
protocol OptionValue: Sendable {
    /// The value as a default in `--help`; nil shows none (no default, or a secret).
    func defaultText(listSeparator: String) -> String?
    /// The value in the start-up log's `name = value` lines (secrets redacted).
    func printedText(listSeparator: String) -> String
}

extension OptionValue {
    func defaultText(listSeparator: String) -> String? { printedText(listSeparator: listSeparator) }
}

extension String: OptionValue {
    func printedText(listSeparator: String) -> String {
        // A value that starts or ends with a blank (`forward-token-prefix = "Bearer "`) is quoted to show it.
        utf8.first.map(ASCII.isBlank) == true || utf8.last.map(ASCII.isBlank) == true ? "\"\(self)\"" : self
    }

    func defaultText(listSeparator: String) -> String? { isEmpty ? nil : self }
}

extension Int: OptionValue {
    func printedText(listSeparator: String) -> String { String(self) }
}

extension Bool: OptionValue {
    func printedText(listSeparator: String) -> String { String(self) }
}

extension Array: OptionValue where Element: OptionListItem {
    func printedText(listSeparator: String) -> String {
        Element.printedList(self, separator: listSeparator)
    }

    func defaultText(listSeparator: String) -> String? {
        isEmpty ? nil : printedText(listSeparator: listSeparator)
    }
}

extension Optional: OptionValue where Wrapped: OptionValue {
    func printedText(listSeparator: String) -> String { self?.printedText(listSeparator: listSeparator) ?? "" }
    func defaultText(listSeparator: String) -> String? { self?.defaultText(listSeparator: listSeparator) }
}

extension Secret: OptionValue {
    func printedText(listSeparator: String) -> String { "<redacted>" }
    func defaultText(listSeparator: String) -> String? { nil }
}

/// An enumeration an option spells as its raw values (`log-level = warn`).
protocol RawOptionValue: OptionValue, RawRepresentable where RawValue == String {}

extension RawOptionValue {
    func printedText(listSeparator: String) -> String { rawValue }
}

extension LogLevel: RawOptionValue {}
extension LogFormat: RawOptionValue {}
extension RuleAction: RawOptionValue {}

extension URL: OptionValue {
    func printedText(listSeparator: String) -> String { absoluteString }
}

extension Authority: OptionValue {
    func printedText(listSeparator: String) -> String { description }
}

extension ListenAddress: OptionValue {
    func printedText(listSeparator: String) -> String { description }
}

/// An element of a list option.
protocol OptionListItem: Sendable {
    static func printedList(_ items: [Self], separator: String) -> String
}

extension String: OptionListItem {
    static func printedList(_ items: [String], separator: String) -> String { items.joined(separator: separator) }
}

extension Secret: OptionListItem {
    static func printedList(_ items: [Secret], separator: String) -> String {
        items.isEmpty ? "" : "<\(items.count) redacted>"
    }

}

extension IdentityHeaders.ClaimHeader: OptionListItem {
    static func printedList(_ items: [Self], separator: String) -> String {
        items.map { "\($0.header)=\($0.claim)" }.joined(separator: separator)
    }
}
