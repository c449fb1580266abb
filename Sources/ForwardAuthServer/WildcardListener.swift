import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where "every address" is bound: `::` takes IPv6 and, with IPV6_V6ONLY off, IPv4 as mapped addresses (Go's
/// `:4181`); a host without IPv6 (no AF_INET6 sockets, or `[::]` cannot be bound) or whose IPv6 sockets default
/// to IPv6-only (`net.ipv6.bindv6only=1`; Hummingbird sets no socket option before binding) gets `0.0.0.0`.
enum WildcardListener {
    /// What the host's IPv6 sockets can do.
    enum Support: Equatable, Sendable {
        case dualStack
        /// Why `::` would not take IPv4 and IPv6.
        case ipv4Only(reason: String)
    }

    /// The host to bind for `configured`: `::` (or `[::]`) becomes `0.0.0.0` without dual-stack support; any
    /// other host stays as given (a specific address, `0.0.0.0`, a name).
    static func host(for configured: String, support: @autoclosure () -> Support) -> String {
        guard configured == "::" || configured == "[::]" else { return configured }
        switch support() {
        case .dualStack: return "::"
        case .ipv4Only: return "0.0.0.0"
        }
    }

    /// The host to bind for `configured`, probing the host once when it is `::`, and logging which it took.
    static func resolve(_ configured: String, port: Int, logger: Logger) -> String {
        guard configured == "::" || configured == "[::]" else { return configured }
        let support = probe()
        switch support {
        case .dualStack:
            logger.info("listening dual-stack (IPv6 and IPv4)", metadata: ["address": "[::]:\(port)"])
        case .ipv4Only(let reason):
            logger.info(
                "listening on IPv4 only", metadata: ["address": "0.0.0.0:\(port)", "reason": "\(reason)"])
        }
        return host(for: configured, support: support)
    }

    /// Opens an AF_INET6 stream socket, reads its default IPV6_V6ONLY and binds it to `[::]:0` (any free port,
    /// so it never collides with the real listener), then closes it.
    static func probe() -> Support {
        #if canImport(Glibc)
            let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET6, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return .ipv4Only(reason: "no IPv6 sockets (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var v6only: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, &length) == 0, v6only != 0 {
            return .ipv4Only(reason: "IPv6 sockets are IPv6-only by default (net.ipv6.bindv6only=1)")
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_any
        address.sin6_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
        guard bound == 0 else { return .ipv4Only(reason: "cannot bind [::] (\(String(cString: strerror(errno))))") }
        return .dualStack
    }
}
