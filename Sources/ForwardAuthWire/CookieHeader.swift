/// The cookies of a request, split from its `Cookie` header(s) (RFC 6265 §5.4 `cookie-string`).
///
/// Hummingbird's `Cookies` cannot list names by prefix, which login-state cleanup needs. This keeps each pair
/// as byte offsets into its header, so splitting allocates one array and reading a cookie only its value.
package struct CookieHeader: RequestCookies {
    private struct Pair {
        let header: Int
        let name: Range<Int>
        let value: Range<Int>
    }

    /// Made contiguous UTF-8 by `init`, so their bytes are read in place.
    private let headers: [String]
    private let pairs: [Pair]

    /// More cookies than this, or more bytes than `maximumBytes`, is refused (431): a browser sends far fewer,
    /// and the bound keeps a hostile header cheap. Ours at their largest (a session and 8 claims cookies of
    /// under 4 KB) take about 35 KB.
    package static let maximumCount = 200
    package static let maximumBytes = 48 * 1024

    /// Nil when the cookies exceed `maximumCount` or `maximumBytes`.
    package init?(_ headers: [String]) {
        guard headers.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumBytes else { return nil }
        var headers = headers
        var pairs: [Pair] = []
        // Bytes, not Characters: splitting a String by Character runs grapheme breaking over every byte, which
        // was a tenth of a check; and offsets into a buffer, not `Substring.UTF8View` indices, whose generic
        // search was most of what remained.
        for index in headers.indices {
            let withinBounds = headers[index].withUTF8 { bytes in
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != Self.semicolon { end += 1 }
                    defer { start = end + 1 }
                    guard start < end else { continue }
                    guard pairs.count < Self.maximumCount else { return false }
                    var equals = start
                    while equals < end, bytes[equals] != Self.equals { equals += 1 }
                    guard equals < end else { continue }
                    var nameStart = start
                    while nameStart < equals, ASCII.isBlank(bytes[nameStart]) { nameStart += 1 }
                    var valueStart = equals + 1
                    var valueEnd = end
                    while valueEnd > valueStart, ASCII.isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
                    if valueEnd - valueStart >= 2, bytes[valueStart] == Self.quote, bytes[valueEnd - 1] == Self.quote {
                        valueStart += 1
                        valueEnd -= 1
                    }
                    guard nameStart < equals else { continue }
                    pairs.append(Pair(header: index, name: nameStart..<equals, value: valueStart..<valueEnd))
                }
                return true
            }
            guard withinBounds else { return nil }
        }
        self.headers = headers
        self.pairs = pairs
    }

    private static let semicolon = UInt8(ascii: ";")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")

    package func value(_ name: String) -> String? {
        for pair in pairs where pair.name.count == name.utf8.count {
            let found: String? = bytes(of: pair.header) { bytes in
                guard bytes[pair.name].elementsEqual(name.utf8) else { return nil }
                return String(decoding: bytes[pair.value], as: UTF8.self)
            }
            if let found { return found }
        }
        return nil
    }

    package func names(withPrefix prefix: String) -> [String] {
        pairs.compactMap { pair in
            bytes(of: pair.header) { bytes in
                let name = bytes[pair.name]
                return name.starts(with: prefix.utf8) ? String(decoding: name, as: UTF8.self) : nil
            }
        }
    }

    private func bytes<Result>(of header: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = headers[header].utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(headers[header].utf8).withUnsafeBufferPointer(body)
    }
}
