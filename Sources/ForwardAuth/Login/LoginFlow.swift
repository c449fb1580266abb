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

    package init(
        gatekeeper: Gatekeeper, loginStates: LoginStateCookies, provider: any IdentityProviderClient,
        logoutRedirect: String?, groupsFilter: GroupsFilter = .keepAll
    ) {
        self.gatekeeper = gatekeeper
        self.loginStates = loginStates
        self.provider = provider
        self.logoutRedirect = logoutRedirect
        self.groupsFilter = groupsFilter
    }

    private var sessions: SessionCookies { gatekeeper.sessions }

    // MARK: Start

    /// Sends the browser to the provider, remembering state, nonce and PKCE verifier in a sealed cookie. Never
    /// waits: the provider's discovery is either loaded (readable from any thread) or the login cannot start.
    package func start(
        _ plan: LoginPlan, cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger
    ) -> Decision {
        let secrets = LoginSecrets(random)
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
        let idToken: String
        do {
            idToken = try await provider.redeem(
                code: code, codeVerifier: loginState.codeVerifier, redirectURI: loginState.redirectURI)
            identity = try await provider.verifyCallbackToken(idToken, nonce: loginState.nonce, now: now)
        } catch {
            logger.warning("login failed", metadata: ["reason": "\(error.description)"])
            return .loginFailed(LoginFailure(error), cookies: [clearState])
        }
        let policy = gatekeeper.access
        if KubernetesNames.isReservedUser(identity.email) {
            logger.notice(
                "login denied",
                metadata: ["user": "\(identity.email)", "reason": "the email holds ':', which Kubernetes reserves"])
            return .loginFailed(.reservedEmail, cookies: [clearState])
        }
        if case .denied(let reason) = policy.evaluate(email: identity.email, groups: identity.groups) {
            logger.notice("login denied", metadata: ["user": "\(identity.email)", "reason": "\(reason)"])
            return .loginFailed(.notAllowed(user: identity.email), cookies: [clearState])
        }
        let headers = gatekeeper.identityHeaders
        let groups = groupsFilter.apply(identity.groups)
        let (session, trimmed) = sessions.fitting(
            Session(
                email: identity.email, name: identity.displayName, groups: groups, issuedAt: now,
                expiresAt: now + sessions.settings.lifetime, id: random.bytes(16),
                idToken: headers.tokenForwarding == nil ? nil : idToken, claims: headers.keptClaims(of: identity.claims)
            ))
        if let trimmed {
            logger.warning(
                "login: session too large for its cookies; dropped \(trimmed) (set groups-filter)",
                metadata: ["user": "\(identity.email)"])
        }
        var setCookies = sessions.issue(session, host: request.host, existing: cookies, random: random)
        setCookies.append(clearState)
        let location =
            gatekeeper.returnURLs.validate(
                loginState.returnURL, start: request.authority, secure: request.scheme == .https) ?? request.rootURL
        var metadata: Logger.Metadata = [
            "user": "\(identity.email)", "groups": "\(identity.groups.count)", "groups-kept": "\(session.groups.count)",
        ]
        // The trace of the request that started this login: the link between the two traces.
        if let started = loginState.traceID { metadata["login_trace_id"] = "\(started)" }
        logger.info("login", metadata: metadata)
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
