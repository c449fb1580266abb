/// Where a login may send the browser back to: the guard against open redirects.
///
/// With cookie domains configured, logins are only started for hosts under them (or the auth host), and the
/// return host must be under them too. Without cookie domains, the return host and port must equal those where
/// the flow started. Hosts compare case-insensitively, on a dot boundary. A flow that started on https never
/// returns to http.
package struct ReturnURLPolicy: Sendable, Hashable {
    package var cookieDomains: [String]
    package var authHost: String?

    package init(cookieDomains: [String], authHost: String?) {
        self.cookieDomains = cookieDomains
        self.authHost = authHost
    }

    /// Whether a login may start for a request to `host` (lower-case, no port).
    package func mayStartLogin(forHost host: String) -> Bool {
        cookieDomains.isEmpty || coversHost(host)
    }

    /// `candidate` if it is an acceptable return URL for a flow that started at `start` (over https when
    /// `secure`), else nil.
    package func validate(_ candidate: some StringProtocol, start: Authority, secure: Bool) -> String? {
        guard let url = AbsoluteURL(candidate), url.isHTTPS || !secure else { return nil }
        let allowed: Bool
        if cookieDomains.isEmpty {
            // The same origin but for an upgrade to https: the port counts, the scheme's default standing in.
            allowed =
                url.authority.host == start.host
                && (url.authority.port ?? (url.isHTTPS ? 443 : 80)) == (start.port ?? (secure ? 443 : 80))
        } else {
            allowed = coversHost(url.authority.host)
        }
        return allowed ? String(candidate) : nil
    }

    private func coversHost(_ host: String) -> Bool {
        cookieDomains.contains { Authority.host(host, isUnder: $0) } || host == authHost
    }
}
