import ForwardAuthWire

/// The short-lived CSRF cookies that carry a `LoginState` from the login redirect to the callback.
///
/// Each login gets its own cookie (`<csrf-cookie-name>.<id>`, the id taken from the state), so logins started
/// in several tabs all complete. At most `maximumPending` live at once: starting another clears the oldest,
/// so abandoned flows cannot pile up until the `Cookie` header is refused (431).
package struct LoginStateCookies: Sendable {
    package let settings: CookieSettings
    private let sealer: Sealer

    package static let maximumPending = 4
    static let idLength = 12

    package init(settings: CookieSettings, keys: CookieKeys) {
        self.settings = settings
        self.sealer = Sealer(keys: keys.keys(for: "login-state"), purpose: "login-state", cookieName: settings.csrfName)
    }

    package func cookieName(forState state: String) -> String {
        settings.loginStatePrefix + state.prefix(Self.idLength)
    }

    /// The cookie for a new login, plus cookies clearing expired, unreadable or surplus pending ones.
    /// - Parameter crossSite: the state comes back in a cross-site form POST (the SSO broker's): the cookie is
    ///   `SameSite=None`, and so `Secure` whatever `insecure-cookie` says (browsers drop it otherwise; they treat
    ///   `http://localhost` as secure).
    package func issue(
        _ loginState: LoginState, domain: String?, existing: some RequestCookies, now: Int64, random: some RandomSource,
        crossSite: Bool = false
    ) -> [SetCookie] {
        let maxAge = Int(max(0, loginState.expiresAt - now))
        var cookie = SetCookie(
            name: cookieName(forState: loginState.state), value: sealer.seal(loginState.encoded(), random: random),
            domain: domain, maxAge: maxAge, secure: settings.secure || crossSite)
        if crossSite { cookie.sameSite = SetCookie.SameSite.none }
        var cookies = [cookie]
        var pending: [(name: String, expiresAt: Int64)] = []
        for name in existing.names(withPrefix: settings.loginStatePrefix) {
            if let value = existing.value(name), let plaintext = sealer.open(value),
                let state = LoginState(decoding: plaintext), state.expiresAt > now
            {
                pending.append((name, state.expiresAt))
            } else {
                cookies.append(.clearing(name, domain: domain, secure: settings.secure))
            }
        }
        // Keep the newest (maximumPending - 1) so that, with the new one, at most maximumPending remain.
        pending.sort { $0.expiresAt > $1.expiresAt }
        for stale in pending.dropFirst(Self.maximumPending - 1) {
            cookies.append(.clearing(stale.name, domain: domain, secure: settings.secure))
        }
        return cookies
    }

    /// The login state whose `state` equals the callback's `state` parameter (compared in constant time), if
    /// its cookie is present, opens, and has not expired.
    package func open(state: String, from cookies: some RequestCookies, now: Int64) -> LoginState? {
        guard state.utf8.count >= Self.idLength, state.utf8.count <= 256,
            let value = cookies.value(cookieName(forState: state)),
            let plaintext = sealer.open(value), let loginState = LoginState(decoding: plaintext),
            ConstantTime.equals(loginState.state, state), loginState.expiresAt > now
        else { return nil }
        return loginState
    }

    package func clearing(state: String, domain: String?, crossSite: Bool = false) -> SetCookie {
        var cookie = SetCookie.clearing(
            cookieName(forState: state), domain: domain, secure: settings.secure || crossSite)
        if crossSite { cookie.sameSite = SetCookie.SameSite.none }
        return cookie
    }
}
