/// A strictly parsed absolute `http`/`https` URL, for return URLs that came from outside.
///
/// Stricter than browsers on purpose: no userinfo, no backslashes, no percent-escapes or non-ASCII in the host,
/// no control characters or spaces anywhere, and the path must start with `/` when present. Anything a browser
/// might read differently from us is refused rather than normalized.
package struct AbsoluteURL: Sendable, Hashable {
    package let isHTTPS: Bool
    package let authority: Authority
    /// Path, query and fragment as given; empty or starting with `/`, `?` or `#`.
    package let rest: String

    package init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 4096, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            return nil
        }
        let lower = bytes.prefix(8).map { $0 | 0x20 }
        let schemeLength: Int
        if lower.starts(with: Array("https://".utf8)) {
            isHTTPS = true
            schemeLength = 8
        } else if lower.starts(with: Array("http://".utf8)) {
            isHTTPS = false
            schemeLength = 7
        } else {
            return nil
        }
        let afterScheme = bytes[schemeLength...]
        let end =
            afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        guard let authority = Authority(parsing: String(decoding: bytes[schemeLength..<end], as: UTF8.self)) else {
            return nil
        }
        self.authority = authority
        self.rest = String(decoding: bytes[end...], as: UTF8.self)
    }
}
