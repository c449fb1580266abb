/// The `log-level` option: logrus's level names, which the Go fork's operators already use.
package enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, warn, error, fatal, panic

    /// Parses a level name case-insensitively; logrus's `warning` is accepted for `warn`.
    package init?(parsing text: String) {
        let name = text.lowercased()
        if name == "warning" {
            self = .warn
        } else if let level = LogLevel(rawValue: name) {
            self = level
        } else {
            return nil
        }
    }
}
