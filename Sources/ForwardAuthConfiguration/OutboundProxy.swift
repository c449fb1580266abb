import Foundation

/// Which proxy, if any, each outbound request (the provider, the Kubernetes API) goes through: Go's
/// `http.ProxyFromEnvironment` rules, which the Go fork follows.
///
/// https URLs use `httpsProxy`, http URLs `httpProxy`; no proxy for a URL of another scheme, for `localhost` and
/// loopback addresses (never proxied, whatever `NO_PROXY` says), or for a host `noProxy` exempts.
package struct OutboundProxy: Sendable, Hashable, CustomStringConvertible {
    package var httpProxy: ProxyServer?
    package var httpsProxy: ProxyServer?
    package var noProxy: NoProxyList

    /// No proxy at all: every request goes direct.
    package static let direct = OutboundProxy(httpProxy: nil, httpsProxy: nil, noProxy: .empty)

    package init(httpProxy: ProxyServer?, httpsProxy: ProxyServer?, noProxy: NoProxyList) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// The distinct proxies in use (one HTTP client each).
    package var servers: [ProxyServer] {
        var servers: [ProxyServer] = []
        for server in [httpsProxy, httpProxy].compactMap(\.self) where !servers.contains(server) {
            servers.append(server)
        }
        return servers
    }

    /// The proxy for a request to `url`; nil means direct.
    package func server(for url: URL) -> ProxyServer? {
        guard let scheme = url.scheme, let host = url.host(percentEncoded: false) else { return nil }
        return server(scheme: scheme, host: host, port: url.port)
    }

    /// The proxy for a request to `host` (a name or IP address, IPv6 with or without brackets) on `port` (nil:
    /// the scheme's default); nil means direct.
    package func server(scheme: String, host: String, port: Int?) -> ProxyServer? {
        let server: ProxyServer?
        switch scheme.lowercased() {
        case "https": server = httpsProxy
        case "http": server = httpProxy
        default: return nil
        }
        guard let server else { return nil }
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty || host == "localhost" || IPAddress(parsing: host)?.isLoopback == true { return nil }
        let port = port.map(String.init) ?? (scheme.lowercased() == "https" ? "443" : "80")
        return noProxy.exempts(host: host, port: port) ? nil : server
    }

    /// For the start-up log: `none`, or each proxy (credentials as `***@`) and the `NO_PROXY` list.
    package var description: String {
        var parts: [String] = []
        if let httpsProxy { parts.append("https via \(httpsProxy)") }
        if let httpProxy { parts.append("http via \(httpProxy)") }
        guard !parts.isEmpty else { return "none" }
        if !noProxy.isEmpty { parts.append("no_proxy \(noProxy)") }
        return parts.joined(separator: ", ")
    }
}
