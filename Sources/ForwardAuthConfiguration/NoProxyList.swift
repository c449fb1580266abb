import ForwardAuthWire

/// `NO_PROXY` / `no_proxy`: the hosts reached directly although a proxy is set, read as Go's
/// `golang.org/x/net/http/httpproxy` reads it.
///
/// A comma-separated list; each entry is trimmed and lower-cased, empty entries are skipped:
/// - `*`: nothing goes through a proxy.
/// - a CIDR block (`10.0.0.0/8`, `fd00::/8`): IP hosts inside it.
/// - an IP address, optionally with a port (`10.0.0.1`, `10.0.0.1:8443`, `[::1]:443`, `::1`).
/// - a domain, optionally with a port: `example.com` matches it and every name below it, `.example.com` (or
///   `*.example.com`) only the names below it. Like Go, the match is a plain suffix after the leading dot is
///   added, and it is tried for IP hosts too.
/// A port, when given, must equal the request's port (the URL's, or 80 / 443 by scheme) as written.
package struct NoProxyList: Sendable, Hashable, CustomStringConvertible {
    enum Entry: Sendable, Hashable {
        case address(IPAddress, port: String?)
        case network(IPNetwork)
        /// `suffix` starts with a dot; `includesItself`: the name without the dot matches too.
        case domain(suffix: String, includesItself: Bool, port: String?)
    }

    /// `*` was listed.
    let exemptsEverything: Bool
    let entries: [Entry]
    /// As given, for the start-up log (a host list holds no secret).
    let text: String

    package static let empty = NoProxyList("")

    package init(_ text: String) {
        self.text = text
        var entries: [Entry] = []
        var everything = false
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingWhitespace().lowercased()
            if entry.isEmpty { continue }
            if entry == "*" {
                everything = true
                break
            }
            if let network = IPNetwork(parsing: entry) {
                entries.append(.network(network))
                continue
            }
            var (host, port) = Self.splitHostPort(entry)
            if host.isEmpty { continue }  // ":80": no host, Go skips it
            if let address = IPAddress(parsing: host) {
                entries.append(.address(address, port: port))
                continue
            }
            if host.hasPrefix("*.") { host.removeFirst() }
            let includesItself = !host.hasPrefix(".")
            entries.append(
                .domain(suffix: includesItself ? "." + host : host, includesItself: includesItself, port: port))
        }
        self.exemptsEverything = everything
        self.entries = everything ? [] : entries
    }

    /// Whether a request to `host` (lower-case, IPv6 without brackets) on `port` goes direct.
    package func exempts(host: String, port: String) -> Bool {
        if exemptsEverything { return true }
        let address = IPAddress(parsing: host)
        for entry in entries {
            switch entry {
            case .address(let listed, let listedPort):
                if let address, address == listed, listedPort == nil || listedPort == port { return true }
            case .network(let network):
                if let address, network.contains(address) { return true }
            case .domain(let suffix, let includesItself, let listedPort):
                let matches = host.hasSuffix(suffix) || (includesItself && host == suffix.dropFirst())
                if matches, listedPort == nil || listedPort == port { return true }
            }
        }
        return false
    }

    package var isEmpty: Bool { !exemptsEverything && entries.isEmpty }

    package var description: String { text }

    /// `host:port`, `[v6]:port`, `[v6]` or a bare host (an IPv6 address has more than one colon, so it is all
    /// host). An empty port after the colon (`example.com:`) means any port, as in Go.
    static func splitHostPort(_ entry: String) -> (host: String, port: String?) {
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            let host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            guard rest.hasPrefix(":") else { return (rest.isEmpty ? host : entry, nil) }
            let port = rest.dropFirst()
            return (host, port.isEmpty ? nil : String(port))
        }
        let colons = entry.count { $0 == ":" }
        guard colons == 1, let colon = entry.firstIndex(of: ":") else { return (entry, nil) }
        let port = entry[entry.index(after: colon)...]
        return (String(entry[..<colon]), port.isEmpty ? nil : String(port))
    }
}
