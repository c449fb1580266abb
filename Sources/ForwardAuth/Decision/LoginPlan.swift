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
