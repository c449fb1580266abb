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

/// The cookies of the subrequest, as the HTTP layer parsed them from the `Cookie` header(s).
public protocol RequestCookies: Sendable {
    /// The value of the first cookie named `name`.
    func value(_ name: String) -> String?
    /// The names of all cookies that start with `prefix`, in the order sent.
    func names(withPrefix prefix: String) -> [String]
}

/// A simple in-memory cookie list: for tests, benchmarks and fuzzing.
public struct CookieList: RequestCookies, ExpressibleByDictionaryLiteral {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.pairs = elements.map { (name: $0.0, value: $0.1) }
    }

    public func value(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    public func names(withPrefix prefix: String) -> [String] {
        pairs.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
