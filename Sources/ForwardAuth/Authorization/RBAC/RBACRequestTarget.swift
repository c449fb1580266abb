import ForwardAuthOIDC

/// The URL one RBAC check judges: `scheme://authority/path`, held as its three parts.
///
/// Literal and glob patterns read the parts in sequence (`bytes`), so a check builds no string; a `~REGEX`
/// entry needs the whole URL as one string, built at most once per check (`url()`).
struct RBACRequestTarget {
    let scheme: String
    let authority: String
    let path: String
    private var joined: String?

    init(scheme: String, authority: String, path: String) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
    }

    /// UTF-8 length of `scheme://authority/path`.
    var urlByteCount: Int { scheme.utf8.count + 3 + authority.utf8.count + path.utf8.count }

    /// The bytes of `scheme://authority/path`, without joining them.
    var urlBytes: URLBytes { URLBytes(target: self) }

    mutating func url() -> String {
        if let joined { return joined }
        let url = scheme + "://" + authority + path
        joined = url
        return url
    }

    /// `scheme`, `://`, `authority` and `path` as one sequence of UTF-8 bytes.
    struct URLBytes: Sequence, IteratorProtocol {
        private static let separator: StaticString = "://"
        private var part = 0
        private var scheme: String.UTF8View.Iterator
        private var separatorIndex = 0
        private var authority: String.UTF8View.Iterator
        private var path: String.UTF8View.Iterator

        init(target: RBACRequestTarget) {
            scheme = target.scheme.utf8.makeIterator()
            authority = target.authority.utf8.makeIterator()
            path = target.path.utf8.makeIterator()
        }

        mutating func next() -> UInt8? {
            while true {
                switch part {
                case 0:
                    if let byte = scheme.next() { return byte }
                case 1:
                    if separatorIndex < 3 {
                        defer { separatorIndex += 1 }
                        return Self.separator.withUTF8Buffer { $0[separatorIndex] }
                    }
                case 2:
                    if let byte = authority.next() { return byte }
                default:
                    return path.next()
                }
                part += 1
            }
        }
    }
}
