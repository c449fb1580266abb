import ForwardAuth

/// Splits `Cookie` header values into pairs the way the server's `CookieHeader` does (RFC 6265 §5.4): pieces
/// between `;`, name up to the first `=`, leading blanks off the name, trailing blanks and one pair of double
/// quotes off the value, pieces without `=` or with an empty name skipped, at most 200 pairs.
///
/// The fuzz targets depend on the domain module only, so this mirrors that adapter type instead of importing it.
package enum CookieHeaderSplitter {
    package static let maximumCount = 200

    package static func cookies(_ headers: [String]) -> CookieList {
        var pairs: [(name: String, value: String)] = []
        for header in headers {
            for piece in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard pairs.count < maximumCount else { break }
                guard let equals = piece.firstIndex(of: "=") else { continue }
                let name = piece[..<equals].drop { $0 == " " || $0 == "\t" }
                var value = piece[piece.index(after: equals)...]
                while value.last == " " || value.last == "\t" { value = value.dropLast() }
                if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
                guard !name.isEmpty else { continue }
                pairs.append((String(name), String(value)))
            }
        }
        return CookieList(pairs)
    }

    /// The `Cookie` header a browser sends back after receiving `setCookies` (deleted cookies left out).
    package static func header(for setCookies: [SetCookie]) -> String {
        setCookies.filter { $0.maxAge > 0 }.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }
}
