extension OutboundProxy {
    /// What `OutboundProxy.fromEnvironment` found.
    package struct EnvironmentReading: Sendable {
        package var proxy: OutboundProxy
        /// Values that are no usable proxy URL, one line each, named by their variable; no credentials in them.
        package var problems: [String]
        package var warnings: [String]
    }

    /// Reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` as Go's `httpproxy.FromEnvironment` does: the upper-case
    /// name first, the lower-case one when the upper-case one is unset or empty.
    ///
    /// With `REQUEST_METHOD` set (a CGI environment, where a client's `Proxy:` header arrives as `HTTP_PROXY`:
    /// "httpoxy") the HTTP proxy is not used. Go then fails each http request; we leave them direct and warn.
    package static func fromEnvironment(_ environment: [String: String]) -> EnvironmentReading {
        var problems: [String] = []
        var warnings: [String] = []
        func server(_ names: String...) -> ProxyServer? {
            guard let (name, value) = first(names, in: environment) else { return nil }
            do {
                return try ProxyServer(parsing: value)
            } catch {
                problems.append("\(name): \(error)")
                return nil
            }
        }
        let httpsProxy = server("HTTPS_PROXY", "https_proxy")
        var httpProxy = server("HTTP_PROXY", "http_proxy")
        if httpProxy != nil, environment["REQUEST_METHOD"].map({ !$0.isEmpty }) == true {
            httpProxy = nil
            warnings.append(
                "REQUEST_METHOD is set (a CGI environment), so HTTP_PROXY is not used: http URLs are fetched directly")
        }
        let noProxy = first(["NO_PROXY", "no_proxy"], in: environment).map { NoProxyList($0.value) } ?? .empty
        return EnvironmentReading(
            proxy: OutboundProxy(httpProxy: httpProxy, httpsProxy: httpsProxy, noProxy: noProxy),
            problems: problems, warnings: warnings)
    }

    /// The first of `names` set to a non-empty value.
    private static func first(_ names: [String], in environment: [String: String]) -> (name: String, value: String)? {
        for name in names {
            if let value = environment[name], !value.isEmpty { return (name, value) }
        }
        return nil
    }
}
