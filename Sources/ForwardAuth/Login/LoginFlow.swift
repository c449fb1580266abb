import ForwardAuthOIDC
import ForwardAuthWire
import Foundation
import Logging

/// The browser login: starts it (redirect to the provider), completes it (the callback) and ends it (logout).
package struct LoginFlow: Sendable {
    package let gatekeeper: Gatekeeper
    package let loginStates: LoginStateCookies
    package let provider: any IdentityProviderClient
    /// `logout-redirect`: where the browser goes after signing out, before the provider's end-session endpoint.
    package let logoutRedirect: String?
    /// `groups-filter`: the groups a new session keeps.
    package let groupsFilter: GroupsFilter
    /// The single sign-on broker across domains: whether sessions keep the ID token to hand on (UI instance),
    /// and where anonymous browsers log in (attached instance).
    package let broker: BrokerSettings

    package init(
        gatekeeper: Gatekeeper, loginStates: LoginStateCookies, provider: any IdentityProviderClient,
        logoutRedirect: String?, groupsFilter: GroupsFilter = .keepAll, broker: BrokerSettings = BrokerSettings()
    ) {
        self.gatekeeper = gatekeeper
        self.loginStates = loginStates
        self.provider = provider
        self.logoutRedirect = logoutRedirect
        self.groupsFilter = groupsFilter
        self.broker = broker
    }

    /// A short-lived cookie that sends this browser's next login to the provider rather than the broker: set by a
    /// broker refusal page whose link offers a direct sign-in, cleared by the next login. It grants nothing.
    package var directLoginCookie: String { sessions.settings.sessionName + "_direct" }

    /// Whether a login started for this browser goes to the broker rather than the provider.
    package func startsAtBroker(_ cookies: some RequestCookies) -> Bool {
        broker.brokerURL != nil && cookies.value(directLoginCookie) == nil
    }

    var sessions: SessionCookies { gatekeeper.sessions }

    // MARK: Start

    /// Sends the browser to the provider, remembering state, nonce and PKCE verifier in a sealed cookie. Never
    /// waits: the provider's discovery is either loaded (readable from any thread) or the login cannot start.
    ///
    /// An attached instance (`sso-broker-url`) sends it to the broker instead, unless `direct` or the browser
    /// asked for a direct sign-in (`directLoginCookie`).
    package func start(
        _ plan: LoginPlan, cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger,
        direct: Bool = false
    ) -> Decision {
        let secrets = LoginSecrets(random)
        if !direct, startsAtBroker(cookies), let brokerURL = broker.brokerURL {
            return startAtBroker(brokerURL, plan, secrets, cookies: cookies, now: now, random: random)
        }
        guard
            let url = provider.authorizationURL(
                state: secrets.state, nonce: secrets.nonce, codeChallenge: secrets.codeChallenge,
                redirectURI: plan.redirectURI)
        else {
            logger.warning(
                "login cannot start", metadata: ["reason": "the identity provider's discovery is not loaded yet"])
            return .loginFailed(.providerUnreachable, cookies: [])
        }
        let loginState = LoginState(
            state: secrets.state, nonce: secrets.nonce, codeVerifier: secrets.verifier, redirectURI: plan.redirectURI,
            returnURL: plan.returnURL, cookieDomain: plan.cookieDomain, expiresAt: now + LoginState.lifetime,
            traceID: TraceContext.current?.traceID)
        let cookies = loginStates.issue(
            loginState, domain: plan.cookieDomain, existing: cookies, now: now, random: random)
        return .redirect(location: url, status: .found, cookies: cookies)
    }

    /// The attached side of the broker: the UI instance's `<url-path>/sso` gets this instance's callback and a
    /// state bound to a login-state cookie as any login's; the cookie is `SameSite=None; Secure`, since the
    /// broker's form posts back across sites. The nonce and verifier are kept for nothing: a fallback to the
    /// provider starts a login of its own.
    private func startAtBroker(
        _ brokerURL: String, _ plan: LoginPlan, _ secrets: LoginSecrets, cookies: some RequestCookies, now: Int64,
        random: some RandomSource
    ) -> Decision {
        let callback = plan.redirectURI + SSOBroker.callbackSuffix
        let location = brokerURL + "?" + FormURLEncoding.encode([("callback", callback), ("state", secrets.state)])
        let loginState = LoginState(
            state: secrets.state, nonce: secrets.nonce, codeVerifier: secrets.verifier, redirectURI: plan.redirectURI,
            returnURL: plan.returnURL, cookieDomain: plan.cookieDomain, expiresAt: now + LoginState.lifetime,
            traceID: TraceContext.current?.traceID)
        let cookies = loginStates.issue(
            loginState, domain: plan.cookieDomain, existing: cookies, now: now, random: random, crossSite: true)
        return .redirect(location: location, status: .found, cookies: cookies)
    }

    /// A login's state, nonce and PKCE verifier: 32 random bytes each.
    private struct LoginSecrets {
        let state: String
        let nonce: String
        let verifier: String
        let codeChallenge: String

        init(_ random: some RandomSource) {
            state = LoginFlow.token(random, 32)
            nonce = LoginFlow.token(random, 32)
            verifier = PKCE.makeVerifier(random: random)
            codeChallenge = PKCE.challenge(for: verifier)
        }
    }

    /// `<url-path>/start?rd=<return URL>`: the login start nginx's `error_page 401` sends browsers to.
    package func startFromLink(
        _ request: ForwardedRequest, cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger
    ) -> Decision {
        let requested = CallbackQuery(request.query).value("rd").flatMap {
            gatekeeper.returnURLs.validate($0, start: request.authority, secure: request.scheme == .https)
        }
        if requested == nil {
            logger.notice(
                "login start: return URL missing or not allowed; returning to the host's root instead",
                metadata: ["host": "\(request.host)"])
        }
        let returnURL = requested ?? request.rootURL
        guard let plan = gatekeeper.loginPlan(for: request, returnURL: returnURL) else {
            return .forbidden(reason: "host \(request.host) is not served here", user: nil)
        }
        return start(plan, cookies: cookies, now: now, random: random, logger: logger)
    }

    // MARK: Callback

    /// Completes a login: checks the state, redeems the code, verifies the ID token, authorizes the user and
    /// mints the session. Every failure is a page a person understands and one log line with the reason.
    package func complete(
        _ request: ForwardedRequest, cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger
    ) async -> Decision {
        let query = CallbackQuery(request.query)
        if let error = query.value("error") {
            logger.notice(
                "login failed", metadata: ["reason": "provider returned error", "error": "\(loggable(error))"])
            return .loginFailed(.providerDeclined(error: error), cookies: [])
        }
        guard let state = query.value("state"), let code = query.value("code"), !code.isEmpty else {
            logger.notice("login failed", metadata: ["reason": "callback without code or state"])
            return .loginFailed(.incompleteCallback, cookies: [])
        }
        guard let loginState = loginStates.open(state: state, from: cookies, now: now) else {
            logger.notice(
                "login failed",
                metadata: ["reason": "state does not match a login started in this browser, or it expired"])
            return .loginFailed(.stateMismatch, cookies: [])
        }
        let clearState = loginStates.clearing(state: state, domain: loginState.cookieDomain)
        let identity: Identity
        let tokens: RedeemedTokens
        do {
            tokens = try await provider.redeemTokens(
                code: code, codeVerifier: loginState.codeVerifier, redirectURI: loginState.redirectURI)
            identity = try await provider.verifyCallbackToken(tokens.idToken, nonce: loginState.nonce, now: now)
        } catch {
            logger.warning("login failed", metadata: ["reason": "\(error.description)"])
            return .loginFailed(LoginFailure(error), cookies: [clearState])
        }
        if let refusal = refusal(of: identity, logger: logger) {
            // A login the broker started for an attached cluster: offer that cluster's own sign-in instead.
            if case .notAllowed = refusal,
                let form = SSOBroker.refusedAtBroker(
                    returnURL: loginState.returnURL, user: identity.email,
                    ssoPath: gatekeeper.settings.urlPath + SSOBroker.deliverySuffix, listed: broker.callbacks)
            {
                return .brokerForm(form, cookies: [clearState])
            }
            return .loginFailed(refusal, cookies: [clearState])
        }
        return signIn(
            identity, idToken: tokens.idToken, refreshToken: tokens.refreshToken, loginState: loginState,
            request: request, cookies: cookies, now: now, random: random, logger: logger, clearing: clearState,
            via: "login")
    }

    /// Why this instance's allow-lists refuse `identity`, logged; nil when they admit it.
    func refusal(of identity: Identity, logger: Logger) -> LoginFailure? {
        if KubernetesNames.isReservedUser(identity.email) {
            logger.notice(
                "login denied",
                metadata: ["user": "\(identity.email)", "reason": "the email holds ':', which Kubernetes reserves"])
            return .reservedEmail
        }
        if case .denied(let reason) = gatekeeper.access.evaluate(email: identity.email, groups: identity.groups) {
            logger.notice("login denied", metadata: ["user": "\(identity.email)", "reason": "\(reason)"])
            return .notAllowed(user: identity.email)
        }
        return nil
    }

    /// Mints the session for an admitted identity and sends the browser back where its login started: the end of
    /// the callback and of the broker's callback. A session ends at `lifetime`, or at the token's `exp` when that
    /// comes first and `endsWithToken` (a brokered token: the UI cluster vouched only until then).
    /// With `refresh-sessions`, a login whose provider issued a refresh token mints a refreshable session; a
    /// brokered one (which has none) ends by the soft end, and the attached instance brokers it again then.
    func signIn(
        _ identity: Identity, idToken: String, refreshToken: String? = nil, loginState: LoginState,
        request: ForwardedRequest,
        cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger,
        clearing clearState: SetCookie,
        via: String, endsWithToken: Bool = false
    ) -> Decision {
        let headers = gatekeeper.identityHeaders
        let groups = groupsFilter.apply(identity.groups)
        var expiresAt = now + sessions.settings.lifetime
        if endsWithToken, let tokenExpiry = identity.expiresAt { expiresAt = min(expiresAt, tokenExpiry) }
        let refreshing = gatekeeper.settings.refresh
        if endsWithToken, let refreshing { expiresAt = min(expiresAt, now + refreshing.interval) }
        // Kept for `forward-token-header-name`, and by a broker, to hand on to its attached clusters.
        let keepsToken = headers.tokenForwarding != nil || broker.deliversTokens
        var minted = Session(
            email: identity.email, name: identity.displayName, groups: groups, issuedAt: now,
            expiresAt: expiresAt, id: random.bytes(16), idToken: keepsToken ? idToken : nil,
            claims: headers.keptClaims(of: identity.claims))
        if let refreshing, let refreshToken, !endsWithToken {
            minted.refresh = Session.Refresh(
                token: refreshToken, due: now + refreshing.interval, firstLogin: now, subject: identity.subject ?? "")
        }
        let (session, trimmed) = sessions.fitting(minted)
        if let trimmed {
            logger.warning(
                "login: session too large for its cookies; dropped \(trimmed) (set groups-filter)",
                metadata: ["user": "\(identity.email)"])
        }
        var setCookies = sessions.issue(session, host: request.host, existing: cookies, random: random)
        setCookies.append(clearState)
        if cookies.value(directLoginCookie) != nil {
            setCookies.append(
                .clearing(directLoginCookie, domain: loginState.cookieDomain, secure: sessions.settings.secure))
        }
        let location =
            gatekeeper.returnURLs.validate(
                loginState.returnURL, start: request.authority, secure: request.scheme == .https) ?? request.rootURL
        var metadata: Logger.Metadata = [
            "user": "\(identity.email)", "groups": "\(identity.groups.count)", "groups-kept": "\(session.groups.count)",
        ]
        // The trace of the request that started this login: the link between the two traces.
        if let started = loginState.traceID { metadata["login_trace_id"] = "\(started)" }
        logger.info("\(via)", metadata: metadata)
        return .redirect(location: location, status: .found, cookies: setCookies)
    }

    // MARK: Logout

    /// Clears the session cookies on every domain they may live on, then leaves: to `logout-redirect`, else the
    /// provider's end-session endpoint, else a signed-out page. Never 2xx: proxies pass `Set-Cookie` on to the
    /// browser only with a non-2xx answer.
    package func logout(_ request: ForwardedRequest, cookies: some RequestCookies, session: Session?, logger: Logger)
        async -> Decision
    {
        let cleared = sessions.clearing(host: request.host)
        logger.info("logout", metadata: ["user": "\(session?.email ?? "-")"])
        if let logoutRedirect {
            return .redirect(location: logoutRedirect, status: .found, cookies: cleared)
        }
        if let endSession = await provider.endSessionEndpoint() {
            return .redirect(location: endSession, status: .found, cookies: cleared)
        }
        return .signedOut(cookies: cleared)
    }

    // MARK: Helpers

    /// A random URL-safe token of `count` bytes of entropy.
    static func token(_ random: some RandomSource, _ count: Int) -> String {
        Base64URL.encode(random.bytes(count))
    }
}
