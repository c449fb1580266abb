import ForwardAuth

/// The cookies of a request, split from its `Cookie` header(s) (RFC 6265 §5.4 `cookie-string`).
///
/// Hummingbird's `Cookies` cannot list names by prefix, which login-state cleanup needs; this keeps the pairs
/// as substrings of the header, so reading one cookie allocates only its value.
struct CookieHeader: RequestCookies {
    private let pairs: [(name: Substring, value: Substring)]

    /// More cookies than this, or more bytes than `maximumBytes`, is refused (431): a browser sends far fewer,
    /// and the bound keeps a hostile header cheap. Ours at their largest (a session and 8 claims cookies of
    /// under 4 KB) take about 35 KB.
    static let maximumCount = 200
    static let maximumBytes = 48 * 1024

    /// Nil when the cookies exceed `maximumCount` or `maximumBytes`.
    init?(_ headers: [String]) {
        guard headers.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumBytes else { return nil }
        var pairs: [(name: Substring, value: Substring)] = []
        // Bytes, not Characters: splitting a String by Character runs grapheme breaking over every byte, which
        // was a tenth of a check. Every delimiter is ASCII, so each cut is a valid String index.
        for header in headers {
            let bytes = header.utf8
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = bytes[start...].firstIndex(of: Self.semicolon) ?? bytes.endIndex
                defer { start = end < bytes.endIndex ? bytes.index(after: end) : end }
                guard start < end else { continue }
                guard pairs.count < Self.maximumCount else { return nil }
                guard let equals = bytes[start..<end].firstIndex(of: Self.equals) else { continue }
                let nameStart = bytes[start..<equals].firstIndex { !Self.isBlank($0) } ?? equals
                var valueStart = bytes.index(after: equals)
                var valueEnd = end
                while valueEnd > valueStart, Self.isBlank(bytes[bytes.index(before: valueEnd)]) {
                    valueEnd = bytes.index(before: valueEnd)
                }
                if bytes.distance(from: valueStart, to: valueEnd) >= 2, bytes[valueStart] == Self.quote,
                    bytes[bytes.index(before: valueEnd)] == Self.quote
                {
                    valueStart = bytes.index(after: valueStart)
                    valueEnd = bytes.index(before: valueEnd)
                }
                guard nameStart < equals else { continue }
                pairs.append((header[nameStart..<equals], header[valueStart..<valueEnd]))
            }
        }
        self.pairs = pairs
    }

    private static let semicolon = UInt8(ascii: ";")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")
    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    func value(_ name: String) -> String? {
        pairs.first { $0.name.utf8.elementsEqual(name.utf8) }.map { String($0.value) }
    }

    func names(withPrefix prefix: String) -> [String] {
        pairs.filter { $0.name.hasPrefix(prefix) }.map { String($0.name) }
    }
}
