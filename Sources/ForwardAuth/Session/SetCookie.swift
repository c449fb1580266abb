/// A `Set-Cookie` the HTTP layer must send: what to set, never how to format it.
package struct SetCookie: Sendable, Hashable {
    package var name: String
    package var value: String
    /// Domain attribute; nil makes a host-only cookie.
    package var domain: String?
    package var path: String = "/"
    /// Seconds; 0 deletes the cookie.
    package var maxAge: Int
    package var httpOnly: Bool = true
    package var secure: Bool
    /// Lax: sent on the top-level navigation back from the identity provider, not on cross-site subrequests.
    /// nil omits the attribute (the display cookie, as the Go fork wrote it).
    package var sameSite: SameSite? = .lax

    package init(name: String, value: String, domain: String?, maxAge: Int, httpOnly: Bool = true, secure: Bool) {
        self.name = name
        self.value = value
        self.domain = domain
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
    }

    /// A cookie that deletes `name` on `domain`.
    package static func clearing(_ name: String, domain: String?, secure: Bool, httpOnly: Bool = true) -> SetCookie {
        SetCookie(name: name, value: "", domain: domain, maxAge: 0, httpOnly: httpOnly, secure: secure)
    }

    package enum SameSite: String, Sendable, Hashable {
        case lax = "Lax"
        case strict = "Strict"
        /// Sent on cross-site requests too; browsers require `Secure` with it.
        case none = "None"
    }
}
