import ForwardAuth
import ForwardAuthWire

extension ConfigurationReader {
    /// `metrics-address`: `host:port`; nil when unset. Sharing the main listener's port on an overlapping host is
    /// a problem, since the second listener could not bind.
    mutating func metricsAddress(port: Int) -> ListenAddress? {
        guard
            let address = parsed(
                "metrics-address", expected: "host:port (e.g. 0.0.0.0:9090)", ListenAddress.init(parsing:))
        else { return nil }
        var listenHost = String(string("listen-address").trimmingWhitespace()).lowercased()
        if listenHost.hasPrefix("["), listenHost.hasSuffix("]") {
            listenHost = String(listenHost.dropFirst().dropLast())
        }
        // The default `::` is a wildcard whether it ends up dual-stack or `0.0.0.0` (a host without IPv6).
        let listen = ListenAddress(host: listenHost, port: port)
        if address.port == port, address.host == listen.host || address.isWildcard || listen.isWildcard {
            problem(
                "\(naming("metrics-address", entry("metrics-address"))): \(address) is the port forward-auth "
                    + "already listens on; give metrics a port of its own, or unset it to serve /metrics there")
        }
        return address
    }
}
