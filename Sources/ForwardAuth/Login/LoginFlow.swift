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

    /// Sends the browser to the provider, remembering state, nonce and PKCE verifier in a sealed cookie.
    package func start(
        _ plan: LoginPlan, cookies: some RequestCookies, now: Int64, random: some RandomSource, logger: Logger
    ) async -> Decision {
        let secrets = LoginSecrets(random)
        let url: String
        if let loaded = loadedAuthorizationURL(secrets, plan) {
            url = loaded
        } else {
            do {
                url = try await provider.authorizationURL(
                    state: secrets.state, nonce: secrets.nonce, codeChallenge: secrets.codeChallenge,
                    redirectURI: plan.redirectURI)
            } catch {
                logger.warning("login cannot start", metadata: ["reason": "\(error)"])
                return .page(Self.providerDown, cookies: [])
            }
        }
        return redirect(to: url, secrets, plan, cookies: cookies, now: now, random: random)
    }

    /// `start` without waiting: the redirect when the provider's metadata is at hand, nil when starting the
    /// login needs a task (then call `start`). The event loop answers most login starts with this.
    package func startWithoutWaiting(
        _ plan: LoginPlan, cookies: some RequestCookies, now: Int64, random: some RandomSource
    ) -> Decision? {
        let secrets = LoginSecrets(random)
        guard let url = loadedAuthorizationURL(secrets, plan) else { return nil }
        return redirect(to: url, secrets, plan, cookies: cookies, now: now, random: random)
    }

    private func loadedAuthorizationURL(_ secrets: LoginSecrets, _ plan: LoginPlan) -> String? {
        provider.authorizationURLWithoutWaiting(
            state: secrets.state, nonce: secrets.nonce, codeChallenge: secrets.codeChallenge,
            redirectURI: plan.redirectURI)
    }

    /// The redirect to the provider, with the login-state cookie that remembers what the callback checks.
    private func redirect(
        to url: String, _ secrets: LoginSecrets, _ plan: LoginPlan, cookies: some RequestCookies, now: Int64,
        random: some RandomSource
    ) -> Decision {
        let loginState = LoginState(
            state: secrets.state, nonce: secrets.nonce, codeVerifier: secrets.verifier, redirectURI: plan.redirectURI,
            returnURL: plan.returnURL, cookieDomain: plan.cookieDomain, expiresAt: now + LoginState.lifetime)
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
    ) async -> Decision {
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
        return await start(plan, cookies: cookies, now: now, random: random, logger: logger)
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
            return .page(
                Page(
                    status: 401, title: "Sign-in was not completed",
                    message:
                        "The identity provider did not sign you in (\(loggable(error))). Go back to the page you wanted and try again."
                ),
                cookies: [])
        }
        guard let state = query.value("state"), let code = query.value("code"), !code.isEmpty else {
            logger.notice("login failed", metadata: ["reason": "callback without code or state"])
            return .page(
                Page(
                    status: 400, title: "Incomplete sign-in",
                    message: "This sign-in link is incomplete. Go back to the page you wanted and sign in again."),
                cookies: [])
        }
        guard let loginState = loginStates.open(state: state, from: cookies, now: now) else {
            logger.notice(
                "login failed",
                metadata: ["reason": "state does not match a login started in this browser, or it expired"])
            return .page(
                Page(
                    status: 401, title: "Sign-in expired",
                    message:
                        "This sign-in was started in another browser or took too long. Go back to the page you wanted and sign in again."
                ),
                cookies: [])
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
            return .page(Self.page(for: error), cookies: [clearState])
        }
        let policy = gatekeeper.access
        if KubernetesNames.isReservedUser(identity.email) {
            logger.notice(
                "login denied",
                metadata: ["user": "\(identity.email)", "reason": "the email holds ':', which Kubernetes reserves"])
            return .page(
                Page(
                    status: 403, title: "Access denied",
                    message: "This account's email address cannot be used here. Ask your administrator."),
                cookies: [clearState])
        }
        if case .denied(let reason) = policy.evaluate(email: identity.email, groups: identity.groups) {
            logger.notice("login denied", metadata: ["user": "\(identity.email)", "reason": "\(reason)"])
            return .page(
                Page(
                    status: 403, title: "Access denied",
                    message: "You signed in as \(identity.email), but this account is not allowed here."),
                cookies: [clearState])
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
        logger.info(
            "login",
            metadata: [
                "user": "\(identity.email)", "groups": "\(identity.groups.count)",
                "groups-kept": "\(session.groups.count)",
            ])
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
        return .page(Page(status: 401, title: "Signed out", message: "You are signed out."), cookies: cleared)
    }

    // MARK: Helpers

    static let providerDown = Page(
        status: 503, title: "Sign-in unavailable",
        message:
            "The identity provider cannot be reached right now, so you cannot sign in. Please try again in a minute.")

    static func page(for error: LoginError) -> Page {
        switch error.kind {
        case .providerUnavailable:
            Page(
                status: 502, title: "Sign-in failed",
                message: "The identity provider did not answer as expected. Please try again in a minute.")
        case .invalidToken:
            Page(
                status: 401, title: "Sign-in failed",
                message: "The identity provider's answer could not be verified, so you were not signed in.")
        case .missingEmail:
            Page(
                status: 403, title: "Sign-in failed",
                message: "Your account has no verified email address, which this site needs to know who you are.")
        }
    }

    /// A random URL-safe token of `count` bytes of entropy.
    static func token(_ random: some RandomSource, _ count: Int) -> String {
        Base64URL.encode(random.bytes(count))
    }
}
