/// What to answer the proxy. The domain decides; the HTTP layer only renders.
public enum Decision: Sendable {
    /// 200: let the request through; the proxy copies these headers upstream.
    case allow(headers: [(name: String, value: String)])
    /// A redirect (302 or 307) to an absolute URL, with cookies to set.
    case redirect(location: String, status: RedirectStatus, cookies: [SetCookie])
    /// An API client sent a Bearer ID token: verify it (cached keys, no I/O), then apply `policy`.
    case verifyBearer(token: String, policy: AccessPolicy)
    /// The browser must log in: the login flow (which knows the identity provider) turns this into a redirect.
    case login(LoginPlan)
    /// 401 for clients that are not browsers (or behind nginx, which cannot pass a redirect on).
    case unauthenticated(reason: String)
    /// 403: identified but not allowed, or a host this deployment does not serve.
    case forbidden(reason: String, user: String?)
    /// 503: the answer needs something not loaded yet (the RBAC policy, the service-account token).
    case unavailable(reason: String)
    /// 400/431: the forwarded headers are malformed or too large.
    case badRequest(reason: String, tooLarge: Bool)
    /// A page for a person (callback failures, sign-out), with cookies to set.
    case page(Page, cookies: [SetCookie])

    public enum RedirectStatus: Int, Sendable {
        case found = 302
        case temporary = 307
    }
}

/// A small HTML page a person reads: a login that failed, a sign-out.
public struct Page: Sendable, Hashable {
    public var status: Int
    public var title: String
    public var message: String

    public init(status: Int, title: String, message: String) {
        self.status = status
        self.title = title
        self.message = message
    }
}

/// Everything needed to start a login for one request, decided before any contact with the provider.
public struct LoginPlan: Sendable, Hashable {
    /// Where to send the browser back after the login.
    public var returnURL: String
    /// `<proto>://<auth host or request host><url-path>`, sent as `redirect_uri` and reused at the exchange.
    public var redirectURI: String
    /// Domain for the login-state cookie: the shared cookie domain in auth-host mode (so the auth host sees
    /// it), nil (host-only) otherwise.
    public var cookieDomain: String?

    public init(returnURL: String, redirectURI: String, cookieDomain: String?) {
        self.returnURL = returnURL
        self.redirectURI = redirectURI
        self.cookieDomain = cookieDomain
    }
}

/// Whether a client can follow a login redirect, from its `Accept` header (the Go fork's rule): browsers name
/// `text/html`, or send `*/*` first.
public enum ClientKind: Sendable, Hashable {
    case browser
    case api

    public init(accept: String?) {
        guard let accept, !accept.isEmpty else {
            self = .api
            return
        }
        // Byte searches: this runs on every check, and `String.contains`/`split` allocate.
        let bytes = accept.utf8
        if accept.containsBytes("text/html") {
            self = .browser
            return
        }
        let firstEnd = bytes.firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") } ?? bytes.endIndex
        let first = bytes[..<firstEnd].drop { $0 == 0x20 || $0 == 0x09 }
        let trimmed = first.reversed().drop { $0 == 0x20 || $0 == 0x09 }
        self = trimmed.elementsEqual("*/*".utf8.reversed()) ? .browser : .api
    }
}
