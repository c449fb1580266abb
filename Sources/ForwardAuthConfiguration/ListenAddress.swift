import ForwardAuth

/// A `host:port` to listen on, as `metrics-address` gives it.
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address (an IPv6 literal without its brackets), lower-case.
    package var host: String
    /// 0 asks for any free port (tests); a parsed address always has 1...65535.
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`; nil without a port, or for anything `Authority` refuses.
    package init?(parsing text: some StringProtocol) {
        guard let authority = Authority(parsing: text), let port = authority.port else { return nil }
        var host = Substring(authority.host)
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(host: String(host), port: port)
    }

    /// Whether it listens on every address of the machine.
    package var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
