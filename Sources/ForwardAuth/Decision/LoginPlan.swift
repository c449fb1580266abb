/// Everything needed to start a login for one request, decided before any contact with the provider.
package struct LoginPlan: Sendable, Hashable {
    /// Where to send the browser back after the login.
    package var returnURL: String
    /// `<proto>://<auth host or request host><url-path>`, sent as `redirect_uri` and reused at the exchange.
    package var redirectURI: String
    /// Domain for the login-state cookie: the shared cookie domain in auth-host mode (so the auth host sees
    /// it), nil (host-only) otherwise.
    package var cookieDomain: String?

    package init(returnURL: String, redirectURI: String, cookieDomain: String?) {
        self.returnURL = returnURL
        self.redirectURI = redirectURI
        self.cookieDomain = cookieDomain
    }
}
