import ForwardAuth

/// Where one raw value came from, so a problem names the option the way the operator wrote it.
struct SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    /// Ordered by precedence, as the Go fork's go-flags applies them: a later source replaces an earlier one.
    enum Source: Int, Sendable, Comparable {
        /// Environment variables: defaults for what nothing else sets.
        case environment
        /// Flags, and the entries of a file named by `--config`, in the order they stand (a later one wins).
        case commandLine
        /// The file named by the `CONFIG` environment variable, read last (how DKP's chart 0.3.10 passes its ini).
        case environmentConfigFile

        static func < (lhs: Source, rhs: Source) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    let source: Source
    /// The name as written: `--providers.oidc.issuer-url`, `PROVIDER_URI`, `groups-session-name`.
    let spelling: String
    /// For an ini file: `path:line`.
    let location: String?

    /// go-flags ignores a bad value from the environment or from the `CONFIG` file (it drops that error), and
    /// fails the start on one from the command line, a `--config` file included.
    var isLenient: Bool { source != .commandLine }

    var description: String {
        guard let location else { return spelling }
        return "\(location) \(spelling)"
    }
}
