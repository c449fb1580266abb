import ForwardAuth

/// Where one raw value came from, so a problem names the option the way the operator wrote it.
struct SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    /// Ordered by precedence: a later source replaces an earlier one.
    enum Source: Int, Sendable, Comparable {
        case file, environment, commandLine

        static func < (lhs: Source, rhs: Source) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    let source: Source
    /// The name as written: `--providers.oidc.issuer-url`, `PROVIDER_URI`, `groups-session-name`.
    let spelling: String
    /// For the ini file: `path:line`.
    let location: String?

    var description: String {
        guard let location else { return spelling }
        return "\(location) \(spelling)"
    }
}
