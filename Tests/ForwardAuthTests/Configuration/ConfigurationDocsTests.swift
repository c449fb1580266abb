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

    /// Where the generated part ends; what follows is written by hand (the differences from the Go fork).
    static let endMarker = "<!-- end of the generated part: write below this line -->"

    static var generated: String {
        """
        # Configuration reference

        The part down to the differences table is generated from forward-auth's option table (`forward-auth --help`
        prints the same); do not edit it by hand. Regenerate with
        `UPDATE_DOCS=1 swift test --filter ConfigurationDocsTests`.

        Every option is a flag (`--name value`), an environment variable, or a line `name = value` (or the legacy
        `name value`) in an ini file. Precedence, as the Go traefik-forward-auth's go-flags has it: flags win over
        the environment; a file named by `--config` counts where that flag stands (a later flag wins over it); a
        file named by the `CONFIG` environment variable is read last and wins over both. Lists take
        comma-separated values or a repeated flag. Rules are `rule.NAME.action`, `rule.NAME.rule`,
        `rule.NAME.whitelist`, `rule.NAME.domains` and `rule.NAME.groups`.

        \(Configuration.markdownOptionTable())

        \(endMarker)
        """
    }

    @Test func docsMatchTheOptionTable() throws {
        let current = try String(contentsOf: Self.path, encoding: .utf8)
        let handWritten = current.range(of: Self.endMarker).map { String(current[$0.upperBound...]) } ?? "\n"
        if ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" {
            try (Self.generated + handWritten).write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let now = try String(contentsOf: Self.path, encoding: .utf8)
        #expect(
            now.hasPrefix(Self.generated),
            "docs/configuration.md is stale: run UPDATE_DOCS=1 swift test --filter ConfigurationDocsTests")
    }

    /// Every row of the differences table names the test that pins it; the test must exist.
    @Test func eachDifferenceNamesATestThatExists() throws {
        let current = try String(contentsOf: Self.path, encoding: .utf8)
        let table = try #require(current.range(of: "## Differences from the Go traefik-forward-auth")).upperBound
        let tests = Self.path.deletingLastPathComponent().deletingLastPathComponent()
        var sources = ""
        for directory in ["Tests", "e2e/tests", "charts/forward-auth/tests"] {
            let root = tests.appendingPathComponent(directory)
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let file = files?.nextObject() as? URL {
                guard ["swift", "py"].contains(file.pathExtension) else { continue }
                sources += (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            }
        }
        var rows = 0
        for line in current[table...].split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| What") {
            guard let cell = line.split(separator: "|").last.map({ $0.trimmingCharacters(in: .whitespaces) }),
                cell != "---"
            else { continue }
            rows += 1
            let names = cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter {
                $0.offset % 2 == 1
            }.map { String($0.element) }
            #expect(!names.isEmpty, "row without a test: \(line)")
            for name in names {
                let bare = name.split(separator: ".").last.map(String.init) ?? name
                #expect(
                    sources.contains("func \(bare)(") || sources.contains("def \(bare)("),
                    "\(name) (named in docs/configuration.md) is no test")
            }
        }
        #expect(rows >= 10, "the differences table has \(rows) rows")
    }
}
