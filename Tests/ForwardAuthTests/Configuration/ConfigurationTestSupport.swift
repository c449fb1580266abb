import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration

/// Builds inputs for `Configuration.load` and unpacks its result.
enum ConfigurationInput {
    static let secret = "0123456789abcdef0123456789abcdef"

    /// The smallest valid environment: issuer, client and secret.
    static let environment: [String: String] = [
        "PROVIDER_URI": "https://dex.example.com/dex",
        "CLIENT_ID": "forward-auth",
        "CLIENT_SECRET": "client-secret-value",
        "SECRET": secret,
    ]

    struct MissingFile: Error, CustomStringConvertible {
        let path: String
        var description: String { "no such file" }
    }

    /// `environment` with `changes` applied (an empty value unsets, as an empty variable counts as unset).
    static func environment(_ changes: [String: String]) -> [String: String] {
        environment.merging(changes) { _, new in new }
    }

    static func load(
        _ arguments: [String] = [], environment: [String: String] = environment, files: [String: String] = [:]
    ) -> ConfigurationLoadResult {
        Configuration.load(arguments: arguments, environment: environment) { path in
            guard let text = files[path] else { throw MissingFile(path: path) }
            return text
        }
    }

    /// The configuration and warnings, or a recorded issue listing the problems.
    static func valid(
        _ arguments: [String] = [], environment: [String: String] = environment, files: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (configuration: Configuration, warnings: [String]) {
        switch load(arguments, environment: environment, files: files) {
        case .configuration(let configuration, let warnings):
            return (configuration, warnings)
        case .invalid(let problems):
            Issue.record("unexpected problems: \(problems)", sourceLocation: sourceLocation)
        case .help, .version:
            Issue.record("unexpected help or version", sourceLocation: sourceLocation)
        }
        throw Unexpected()
    }

    /// The problems; empty (and a recorded issue) when the input loaded.
    static func problems(
        _ arguments: [String] = [], environment: [String: String] = environment, files: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [String] {
        if case .invalid(let problems) = load(arguments, environment: environment, files: files) {
            return problems
        }
        Issue.record("expected problems", sourceLocation: sourceLocation)
        return []
    }

    struct Unexpected: Error {}
}
