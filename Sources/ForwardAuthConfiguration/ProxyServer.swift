import ForwardAuth
import ForwardAuthWire
import Foundation

/// One proxy from `HTTPS_PROXY` or `HTTP_PROXY`: where it is and the credentials to send it.
///
/// Read as Go's `httpproxy` reads it: without `scheme://` the value means `http://`; the port defaults by scheme
/// (http 80, socks5 1080); a path is ignored. Stricter than Go where Go would fail at every request or go
/// direct without a word: a value that is no proxy URL, an `https://` proxy (TLS to the proxy, which our client
/// cannot do) and SOCKS5 credentials (which it cannot send) are refused at start.
///
/// The password never leaves this value in text: `description` shows `***@` in place of the credentials.
package struct ProxyServer: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        /// An HTTP proxy: every request is tunnelled through `CONNECT` (TLS, for https URLs, end to end).
        case http
        case socks5
    }

    package struct Credentials: Sendable, Hashable {
        package let username: String
        package let password: Secret
    }

    package let kind: Kind
    /// Lower-case; an IPv6 address without brackets.
    package let host: String
    package let port: Int
    /// Sent as `Proxy-Authorization: Basic` (percent-decoded from the URL, as Go does).
    package let credentials: Credentials?

    package init(kind: Kind, host: String, port: Int, credentials: Credentials? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.credentials = credentials
    }

    /// Parses a proxy URL; the error's text names what is wrong and quotes the value without its credentials.
    package init(parsing raw: String) throws(ProxyServerError) {
        let text = String(raw.trimmingWhitespace())
        let quoted = "\"\(Self.redactingCredentials(text))\""
        var kind = Kind.http
        var rest = Substring(text)
        if let separator = text.range(of: "://") {
            let scheme = text[..<separator.lowerBound].lowercased()
            switch scheme {
            case "http": kind = .http
            case "socks5": kind = .socks5
            case "https":
                throw ProxyServerError(
                    "\(quoted): a proxy reached over TLS (https://) is not supported; give it as http:// "
                        + "(https URLs still go through it encrypted end to end)")
            default:
                throw ProxyServerError("\(quoted): the scheme \"\(scheme)\" is not one of http://, socks5://")
            }
            rest = text[separator.upperBound...]
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var hostPort = authority
        var credentials: Credentials?
        if let at = authority.lastIndex(of: "@") {
            hostPort = authority[authority.index(after: at)...]
            let userinfo = authority[..<at]
            let user = userinfo.prefix { $0 != ":" }
            let password = userinfo.dropFirst(user.count + 1)
            guard let username = user.removingPercentEncoding, let secret = password.removingPercentEncoding else {
                throw ProxyServerError("\(quoted): the credentials are not valid percent-encoding")
            }
            if kind == .socks5 {
                throw ProxyServerError(
                    "\(quoted): SOCKS5 proxy credentials are not supported; use an http:// proxy for authentication")
            }
            credentials = Credentials(username: username, password: Secret(secret))
        }
        guard !hostPort.isEmpty else { throw ProxyServerError("\(quoted): no proxy host") }
        guard let parsed = Authority(parsing: hostPort) else {
            throw ProxyServerError("\(quoted): \"\(hostPort)\" is not host[:port] (a port is 1-65535)")
        }
        var host = parsed.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(kind: kind, host: host, port: parsed.port ?? (kind == .http ? 80 : 1080), credentials: credentials)
    }

    /// `http://proxy:3128`, or `http://***@proxy:3128` when it carries credentials.
    package var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "\(kind.rawValue)://\(credentials == nil ? "" : "***@")\(address)"
    }

    /// The value with anything between `scheme://` (or the start) and the authority's last `@` replaced by
    /// `***`: how a value that may hold a password is quoted in a message.
    package static func redactingCredentials(_ text: String) -> String {
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        let authorityEnd = text[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        guard let at = text[start..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<start]) + "***" + String(text[at...])
    }
}

/// A proxy URL that cannot be used; the text holds no credentials.
package struct ProxyServerError: Error, Sendable, Hashable, CustomStringConvertible {
    package let description: String

    init(_ description: String) { self.description = description }
}
