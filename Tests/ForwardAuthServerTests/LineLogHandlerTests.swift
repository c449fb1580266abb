import ForwardAuth
import Foundation
import Logging
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

@Suite("Log lines")
struct LineLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    func logger(_ format: LineLogHandler.Format, level: Logger.Level = .info) -> (Logger, Lines) {
        let lines = Lines()
        let logger = Logger(label: "forward-auth") { label in
            LineLogHandler(label: label, format: format, level: level, sink: { lines.append($0) })
        }
        return (logger, lines)
    }

    @Test func textIsLogfmt() throws {
        let (logger, lines) = logger(.text)
        logger.notice("denied", metadata: ["user": "alice@example.com", "reason": "not in \"admins\""])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("\n"))
        #expect(line.contains(#"level=info msg=denied reason="not in \"admins\"" user=alice@example.com"#))
    }

    @Test func jsonIsOneObjectPerLine() throws {
        let (logger, lines) = logger(.json)
        logger.warning("login failed", metadata: ["reason": "state\nmismatch"])
        let line = try #require(lines.all.first)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(object?["level"] == "warn")
        #expect(object?["msg"] == "login failed")
        #expect(object?["reason"] == "state\nmismatch")
    }

    /// A claim or header a user controls (an email with ESC, a BEL, C1, U+2028) must not reach a terminal or log
    /// viewer raw, in any format (issue 15).
    @Test(arguments: LineLogHandler.Format.allCases)
    func controlCharactersAreEscapedInEveryFormat(format: LineLogHandler.Format) throws {
        let (logger, lines) = logger(format)
        let hostile = "mallory\u{1B}[2J\u{07}\u{85}\u{9B}31m\u{2028}\u{2029}\u{7F}\u{202E}\u{200B}\u{FEFF}@example.com"
        logger.notice("login \u{1B}]0;title\u{07}", metadata: ["user": "\(hostile)", "k\u{1B}": "v"])
        let line = try #require(lines.all.first)
        let forbidden: [UInt32] = [0x1B, 0x07, 0x85, 0x9B, 0x2028, 0x2029, 0x7F, 0x202E, 0x200B, 0xFEFF]
        #expect(!line.unicodeScalars.contains { forbidden.contains($0.value) }, "\(format): \(line.debugDescription)")
        #expect(line.contains("\\u001b"), "\(format)")
        #expect(line.filter { $0 == "\n" }.count == 1)
        // A value cannot pose as further fields.
        logger.notice("denied", metadata: ["path": "/admin user=root reason=\"allowed\""])
        let second = try #require(lines.all.last)
        #expect(
            format == .json
                ? second.contains(#""path":"/admin user=root"#) : second.contains(#"path="/admin user=root"#),
            "\(format): \(second)")
    }

    @Test func levelsBelowTheThresholdAreDropped() {
        let (logger, lines) = logger(.text, level: Logger.Level(LogLevel.warn))
        logger.info("login")
        logger.error("broken")
        #expect(lines.all.count == 1)
    }

    @Test(arguments: [
        (LogLevel.trace, Logger.Level.trace), (.debug, .debug), (.info, .info), (.warn, .warning), (.error, .error),
        (.fatal, .critical), (.panic, .critical),
    ])
    func logrusLevelsMapOntoSwiftLog(level: LogLevel, expected: Logger.Level) {
        #expect(Logger.Level(level) == expected)
    }
}
