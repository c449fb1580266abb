import Foundation
import Logging
import ForwardAuthWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One log line per event, as logfmt (`text`), JSON (`json`) or a human-friendly `pretty` form.
///
/// Each line goes out in one `write(2)`, so lines from concurrent requests never interleave.
package struct LineLogHandler: LogHandler {
    package enum Format: String, Sendable, CaseIterable {
        case text, json, pretty
    }

    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let sink: @Sendable (String) -> Void

    package init(
        label: String, format: Format, level: Logger.Level,
        sink: @escaping @Sendable (String) -> Void = LineLogHandler.standardError
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Date().formatted(
            .iso8601.year().month().day().timeSeparator(.colon).time(includingFractionalSeconds: true))
        let level = Self.name(of: event.level)
        let keys = fields.keys.sorted()
        var line: String
        switch format {
        case .json:
            line =
                #"{"time":"\#(time)","level":"\#(level)","logger":"\#(TextEscaping.json(label))","msg":"\#(TextEscaping.json(event.message.description))""#
            for key in keys { line += #","\#(TextEscaping.json(key))":"\#(TextEscaping.json("\(fields[key]!)"))""# }
            line += "}"
        case .text:
            line = "time=\(time) level=\(level) msg=\(Self.logfmt(event.message.description))"
            for key in keys { line += " \(Self.logfmt(key))=\(Self.logfmt("\(fields[key]!)"))" }
        case .pretty:
            line =
                "\(time) \(level.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)) \(TextEscaping.controlsEscaped(event.message.description))"
            // Values quoted as in `text` when they hold a blank or `=`: a value cannot pose as further fields.
            for key in keys { line += " \(Self.logfmt(key))=\(Self.logfmt("\(fields[key]!)"))" }
        }
        sink(line + "\n")
    }

    /// The Go fork's level names.
    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "info"
        case .warning: "warn"
        case .error: "error"
        case .critical: "fatal"
        }
    }

    package static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// A logfmt value: quoted and escaped as JSON when it holds a space, `=`, `"`, `\\` or a control character
    /// (ESC, BEL, C1, U+2028/9 among them), so no value can forge a field, a line or a terminal sequence.
    static func logfmt(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || TextEscaping.isControl($0)
            }
        guard needsQuotes else { return value }
        return "\"" + TextEscaping.json(value) + "\""
    }

}
