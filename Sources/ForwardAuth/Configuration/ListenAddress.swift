/// A `host:port` to listen on, as `metrics-address` gives it.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address (an IPv6 literal without its brackets), lower-case.
    public var host: String
    /// 0 asks for any free port (tests); a parsed address always has 1...65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`; nil without a port, or for anything `Authority` refuses.
    public init?(parsing text: some StringProtocol) {
        guard let authority = Authority(parsing: text), let port = authority.port else { return nil }
        var host = Substring(authority.host)
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.init(host: String(host), port: port)
    }

    /// Whether it listens on every address of the machine.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
