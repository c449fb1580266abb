/// Where a login may send the browser back to: the guard against open redirects.
///
/// With cookie domains configured, logins are only started for hosts under them (or the auth host), and the
/// return host must be under them too. Without cookie domains, the return host and port must equal those where
/// the flow started. Hosts compare case-insensitively, on a dot boundary. A flow that started on https never
/// returns to http.
public struct ReturnURLPolicy: Sendable, Hashable {
    public var cookieDomains: [String]
    public var authHost: String?

    public init(cookieDomains: [String], authHost: String?) {
        self.cookieDomains = cookieDomains
        self.authHost = authHost
    }

    /// Whether a login may start for a request to `host` (lower-case, no port).
    public func mayStartLogin(forHost host: String) -> Bool {
        cookieDomains.isEmpty || coversHost(host)
    }

    /// `candidate` if it is an acceptable return URL for a flow that started at `start` (over https when
    /// `secure`), else nil.
    public func validate(_ candidate: some StringProtocol, start: Authority, secure: Bool) -> String? {
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

/// A strictly parsed absolute `http`/`https` URL, for return URLs that came from outside.
///
/// Stricter than browsers on purpose: no userinfo, no backslashes, no percent-escapes or non-ASCII in the host,
/// no control characters or spaces anywhere, and the path must start with `/` when present. Anything a browser
/// might read differently from us is refused rather than normalized.
public struct AbsoluteURL: Sendable, Hashable {
    public let isHTTPS: Bool
    public let authority: Authority
    /// Path, query and fragment as given; empty or starting with `/`, `?` or `#`.
    public let rest: String

    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 4096, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            return nil
        }
        let lower = bytes.prefix(8).map { $0 | 0x20 }
        let schemeLength: Int
        if lower.starts(with: Array("https://".utf8)) {
            isHTTPS = true
            schemeLength = 8
        } else if lower.starts(with: Array("http://".utf8)) {
            isHTTPS = false
            schemeLength = 7
        } else {
            return nil
        }
        let afterScheme = bytes[schemeLength...]
        let end =
            afterScheme.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        guard let authority = Authority(parsing: String(decoding: bytes[schemeLength..<end], as: UTF8.self)) else {
            return nil
        }
        self.authority = authority
        self.rest = String(decoding: bytes[end...], as: UTF8.self)
    }
}
