import ForwardAuth
import ForwardAuthWire
import Foundation

/// The syntax checks configuration values must pass. Pure functions; the reader turns a nil into a problem.
enum ValueSyntax {
    /// A host name for `auth-host` or `cookie-domain`: lower-cased, a leading dot removed (`.example.com` is
    /// how cookies spell a domain); nil for anything with a port, a path, spaces or other stray characters.
    static func hostname(_ text: String) -> String? {
        var name = Substring(text)
        if name.hasPrefix(".") { name = name.dropFirst() }
        guard let authority = Authority(parsing: name), authority.port == nil else { return nil }
        return authority.host
    }

    /// `host` or `host:port` (lower-cased), for the auth host: behind a proxy on a non-default port the
    /// callback URL must carry that port, as the Go fork's `AUTH_HOST=host:port` does.
    static func authority(_ text: String) -> Authority? {
        Authority(parsing: text)
    }

    /// An absolute `http` or `https` URL with a host; nil otherwise.
    static func httpURL(_ text: String) -> URL? {
        guard !text.contains(where: { $0.isWhitespace }), let url = URL(string: text),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }

    /// An RFC 9110 token: what header names and cookie names must be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(HTTPToken.isTokenByte)
    }

    /// Go's `strconv.ParseBool` spellings (`1 t T TRUE true True`, `0 f F FALSE false False`) in any case, and
    /// `yes`/`no`.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "t", "1", "yes": true
        case "false", "f", "0", "no": false
        default: nil
        }
    }

    /// Items of a list value: split on commas (and whitespace when asked), trimmed, empties dropped.
    static func listItems(_ text: String, splitOnWhitespace: Bool) -> [String] {
        text.split { $0 == "," || (splitOnWhitespace && $0.isWhitespace) }
            .map { String($0.trimmingWhitespace()) }
            .filter { !$0.isEmpty }
    }
}
