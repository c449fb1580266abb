/// A `Set-Cookie` the HTTP layer must send: what to set, never how to format it.
public struct SetCookie: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Domain attribute; nil makes a host-only cookie.
    public var domain: String?
    public var path: String = "/"
    /// Seconds; 0 deletes the cookie.
    public var maxAge: Int
    public var httpOnly: Bool = true
    public var secure: Bool
    /// Lax: sent on the top-level navigation back from the identity provider, not on cross-site subrequests.
    public var sameSiteLax: Bool = true

    public init(name: String, value: String, domain: String?, maxAge: Int, httpOnly: Bool = true, secure: Bool) {
        self.name = name
        self.value = value
        self.domain = domain
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
    }

    /// A cookie that deletes `name` on `domain`.
    public static func clearing(_ name: String, domain: String?, secure: Bool, httpOnly: Bool = true) -> SetCookie {
        SetCookie(name: name, value: "", domain: domain, maxAge: 0, httpOnly: httpOnly, secure: secure)
    }
}
