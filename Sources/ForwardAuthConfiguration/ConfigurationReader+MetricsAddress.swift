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
        let listenHost = String(string("listen-address").trimmingWhitespace()).lowercased()
        let listen = ListenAddress(host: listenHost, port: port)
        if address.port == port, address.host == listen.host || address.isWildcard || listen.isWildcard {
            problem(
                "\(naming("metrics-address", entry("metrics-address"))): \(address) is the port forward-auth "
                    + "already listens on; give metrics a port of its own, or unset it to serve /metrics there")
        }
        return address
    }
}
