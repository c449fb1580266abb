/// Cookie names and attributes, as configured (`cookie-name`, `csrf-cookie-name`, `cookie-domain`, …).
package struct CookieSettings: Sendable, Hashable {
    package var sessionName = "_forward_auth"
    package var userName = "_forward_auth_name"
    package var csrfName = "_forward_auth_csrf"
    package var claimsName = "_forward_auth_claims"
    /// Parent domains, lower-case without a leading dot.
    package var domains: [String] = []
    package var secure = true
    /// Session lifetime in seconds.
    package var lifetime: Int64 = 43200

    package init() {}

    /// The configured cookie domain that holds `host`, if any.
    package func cookieDomain(holding host: String) -> String? {
        domains.first { Authority.host(host, isUnder: $0) }
    }

    /// The Domain attribute for cookies answering a request to `host`: the cookie domain that holds it, else
    /// the host itself (as the Go fork does).
    package func domainAttribute(for host: String) -> String {
        cookieDomain(holding: host) ?? host
    }

    /// Login-state cookies are named `<csrf-cookie-name>.<id>`: the dot cannot start another instance's
    /// name (`_forward_auth_csrf_kommander`), so instances never read or clear each other's.
    var loginStatePrefix: String { csrfName + "." }
}
