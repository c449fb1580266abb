/// Cookie names and attributes, as configured (`cookie-name`, `csrf-cookie-name`, `cookie-domain`, …).
public struct CookieSettings: Sendable, Hashable {
    public var sessionName = "_forward_auth"
    public var userName = "_forward_auth_name"
    public var csrfName = "_forward_auth_csrf"
    public var claimsName = "_forward_auth_claims"
    /// Parent domains, lower-case without a leading dot.
    public var domains: [String] = []
    public var secure = true
    /// Session lifetime in seconds.
    public var lifetime: Int64 = 43200

    public init() {}

    /// The configured cookie domain that holds `host`, if any.
    public func cookieDomain(holding host: String) -> String? {
        domains.first { Authority.host(host, isUnder: $0) }
    }

    /// The Domain attribute for cookies answering a request to `host`: the cookie domain that holds it, else
    /// the host itself (as the Go fork does).
    public func domainAttribute(for host: String) -> String {
        cookieDomain(holding: host) ?? host
    }

    /// Login-state cookies are named `<csrf-cookie-name>.<id>`: the dot cannot start another instance's
    /// name (`_forward_auth_csrf_kommander`), so instances never read or clear each other's.
    var loginStatePrefix: String { csrfName + "." }
}
