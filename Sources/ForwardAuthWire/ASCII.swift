/// The byte-level text rules every parser here shares. HTTP, cookies, hosts, emails and our own formats compare and
/// fold ASCII only: Unicode lower-casing folds look-alikes into ASCII (KELVIN SIGN U+212A becomes `k`), which would
/// let `\u{212A}ate@example.com` pass an allow-list as `kate@example.com`.
///
/// The byte helpers are `public` and inlinable although nothing outside this package uses them: they run per byte
/// in the other targets' parsers and matchers, and Swift 6.3 inlines across modules only `public` inlinable code
/// (`package` code is called, byte by byte; docs/benchmarks.md).
public enum ASCII {
    /// `A`–`Z` lower-cased; every other byte as it is.
    @inlinable
    public static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inlinable
    public static func isUppercase(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    /// Space or horizontal tab: HTTP's optional whitespace (RFC 9110 §5.6.3) around a field value or a list item.
    @inlinable
    public static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}

extension StringProtocol {
    /// The string with `A`–`Z` lower-cased and every other byte kept: how emails, domains, subjects, hosts and
    /// methods are compared. Returns the string unchanged, without building a new one, when it has no upper-case
    /// ASCII letter.
    @inlinable
    public func asciiLowercased() -> String {
        guard utf8.contains(where: { ASCII.isUppercase($0) }) else { return String(self) }
        return String(decoding: utf8.map { ASCII.lowercased($0) }, as: UTF8.self)
    }

    /// The text without leading and trailing whitespace of any kind (spaces, tabs, newlines): how configuration
    /// values are read.
    package func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return Substring(self[start..<end])
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    @inlinable
    public func trimmingBlanks() -> String {
        let bytes = utf8
        guard let start = bytes.firstIndex(where: { !ASCII.isBlank($0) }) else { return "" }
        let end = bytes.lastIndex(where: { !ASCII.isBlank($0) })!
        return String(self[start...end])
    }
}

extension Substring.UTF8View {
    /// The bytes without leading and trailing spaces and tabs.
    @inlinable
    public func trimmingBlanks() -> Substring.UTF8View {
        var bytes = self
        while let first = bytes.first, ASCII.isBlank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, ASCII.isBlank(last) { bytes = bytes.dropLast() }
        return bytes
    }
}
