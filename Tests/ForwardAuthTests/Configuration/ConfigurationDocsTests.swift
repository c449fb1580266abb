import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration

/// docs/configuration.md is generated from the option table, so it cannot drift from `--help`.
/// Regenerate with `UPDATE_DOCS=1 swift test --filter ConfigurationDocsTests`.
@Suite("Generated configuration reference")
struct ConfigurationDocsTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/configuration.md")

    static var expected: String {
        """
        # Configuration reference

        Generated from forward-auth's option table (`forward-auth --help` prints the same); do not edit by hand.
        Regenerate with `UPDATE_DOCS=1 swift test --filter ConfigurationDocsTests`.

        Every option is a flag (`--name value`), an environment variable, or a line `name = value` (or the legacy
        `name value`) in the ini file named by `--config`/`CONFIG`. Precedence: flags, then the environment, then
        the file. Lists take comma-separated values or a repeated flag. Rules are `rule.NAME.action`,
        `rule.NAME.rule`, `rule.NAME.whitelist`, `rule.NAME.domains` and `rule.NAME.groups`.

        \(Configuration.markdownOptionTable())
        """
    }

    @Test func docsMatchTheOptionTable() throws {
        if ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" {
            try Self.expected.write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let current = try String(contentsOf: Self.path, encoding: .utf8)
        #expect(
            current == Self.expected,
            "docs/configuration.md is stale: run UPDATE_DOCS=1 swift test --filter ConfigurationDocsTests")
    }
}
