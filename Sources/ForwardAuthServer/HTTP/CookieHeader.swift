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
        for header in headers {
            for piece in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard pairs.count < Self.maximumCount else { return nil }
                guard let equals = piece.firstIndex(of: "=") else { continue }
                let name = piece[..<equals].drop { $0 == " " || $0 == "\t" }
                var value = piece[piece.index(after: equals)...]
                while value.last == " " || value.last == "\t" { value = value.dropLast() }
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
                guard !name.isEmpty else { continue }
                pairs.append((name, value))
            }
        }
        self.pairs = pairs
    }

    func value(_ name: String) -> String? {
        pairs.first { $0.name == name }.map { String($0.value) }
    }

    func names(withPrefix prefix: String) -> [String] {
        pairs.filter { $0.name.hasPrefix(prefix) }.map { String($0.name) }
    }
}
