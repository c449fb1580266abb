import ForwardAuthOIDC
import ForwardAuthWire
import Foundation
import Logging

/// Both ends of the single sign-on broker (design (a) of issue 19; docs/multi-cluster.md):
///
/// - the UI instance answers `<url-path>/sso` (`deliver`): with a session that keeps its Dex ID token, a page
///   whose form posts that token and the attached instance's state to the attached instance's listed callback;
///   without a session, a login at the provider that comes back here;
/// - the attached instance answers its `<url-path>/sso/callback` (`complete`): the form's POST, checked against
///   the login state this browser started here (single use), the token verified as a Bearer token is (plus the
///   broker's audience form), then its own allow-lists and a session.
///
/// No server-to-server call and no shared store: any replica serves any step, and the state cookie is the
/// single-use record. The token travels only in the form body, from the browser to a listed callback.
package struct SSOBroker: Sendable {
    package let loginFlow: LoginFlow
    /// States answered here already: a replay that carries the old cookie is refused too.
    let spentStates = SpentStates()

    /// `<url-path>` + this: the UI instance's broker endpoint.
    package static let deliverySuffix = "/sso"
    /// `<url-path>` + this: an attached instance's callback.
    package static let callbackSuffix = "/sso/callback"
    /// The largest callback body read (the token, the state and the field names, form-encoded).
    package static let maximumBodyBytes = 64 * 1024

    package init(loginFlow: LoginFlow) { self.loginFlow = loginFlow }

    private var settings: BrokerSettings { loginFlow.broker }
    private var sessions: SessionCookies { loginFlow.gatekeeper.sessions }

    // MARK: UI instance

    /// `<url-path>/sso`: hands the session's ID token to a listed callback, or logs the browser in first. Never
    /// waits. Only a listed callback ever receives a form; anything else is a page and nothing is posted.
    package func deliver(
        _ request: ForwardedRequest, cookies: some RequestCookies, now: Int64, random: some RandomSource,
        logger: Logger
    ) -> (Decision, BrokerResult) {
        let brokered: BrokerRequest
        do {
            brokered = try BrokerRequest(query: request.query, listed: settings.callbacks)
        } catch {
            logger.notice("broker: request refused", metadata: ["reason": "\(error)"])
            if case .callbackNotListed = error {
                return (.loginFailed(.brokerCallbackNotListed, cookies: []), .refusedCallback)
            }
            return (.badRequest(reason: error.description, tooLarge: false), .badRequest)
        }
        guard case .valid(let session) = sessions.session(from: cookies, now: now) else {
            // Log in here first; the UI's callback returns to this very URL, now with a session.
            guard let plan = loginFlow.gatekeeper.loginPlan(for: request, returnURL: request.url) else {
                return (.forbidden(reason: "host \(request.host) is not served here", user: nil), .badRequest)
            }
            return (
                loginFlow.start(plan, cookies: cookies, now: now, random: random, logger: logger, direct: true),
                .loginRequired
            )
        }
        // With refresh on, attached clusters take only a recent token: renew an older one at Dex first, and come
        // back here (unless a marker says Dex will not renew it now: then the old one goes, and may be refused).
        if let refreshing = loginFlow.gatekeeper.settings.refresh,
            loginFlow.brokerTokenIsOld(session, refreshing, now: now),
            loginFlow.wantsRefresh(session, cookies: cookies, now: now)
        {
            return (
                .redirect(
                    location: loginFlow.gatekeeper.refreshURL(request, returnURL: request.url), status: .found,
                    cookies: []),
                .refreshFirst
            )
        }
        let metadata: Logger.Metadata = ["user": "\(session.email)", "callback": "\(brokered.callback)"]
        guard let token = session.idToken, let expiry = Self.numericClaim("exp", of: token),
            expiry > now + Self.minimumTokenLife
        else {
            logger.notice(
                "broker: the session keeps no usable ID token (it did not fit the cookies, or it expires); the attached cluster signs in at the provider",
                metadata: metadata)
            return (.brokerForm(Self.form(brokered, ("error", "token_unavailable")), cookies: []), .tokenUnavailable)
        }
        logger.info("broker: ID token delivered", metadata: metadata)
        return (.brokerForm(Self.form(brokered, ("id_token", token)), cookies: []), .delivered)
    }

    /// A token that expires sooner than this is not handed on: the attached instance would refuse it.
    static let minimumTokenLife: Int64 = 30

    /// The auto-submitting form for `request`'s callback: its state and one more field.
    private static func form(_ request: BrokerRequest, _ field: (String, String)) -> BrokerForm {
        BrokerForm(
            action: request.callback, fields: [.init("state", request.state), .init(field.0, field.1)],
            submitsItself: true, title: "Signing you in",
            message: "You are being signed in to the page you asked for.", button: "Continue")
    }

    /// The page for a user the UI instance's own allow-lists refused while logging in for a broker request:
    /// a button that tells the attached instance to sign the person in at the provider itself (its own lists then
    /// decide). Nil when `returnURL` is not a broker request.
    static func refusedAtBroker(returnURL: String, user: String, ssoPath: String, listed: Set<String>) -> BrokerForm? {
        guard let request = BrokerRequest(returnURL: returnURL, ssoPath: ssoPath, listed: listed) else { return nil }
        return BrokerForm(
            action: request.callback, fields: [.init("state", request.state), .init("error", "access_denied")],
            submitsItself: false, title: "Access denied",
            message:
                "You signed in as \(user), but this cluster does not allow this account, so it cannot sign you in elsewhere. You can sign in at the identity provider directly instead.",
            button: "Sign in directly")
    }

    /// A time claim (`exp`, `iat`) of a token this instance verified at its login, read without verifying again.
    static func numericClaim(_ name: String, of token: String) -> Int64? {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(ArraySlice(parts[1])),
            let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let value = object[name] as? NSNumber
        else { return nil }
        return value.int64Value
    }

    // MARK: Attached instance

    /// What the broker callback's request line must be: a POST with a form body, straight to us (the proxy
    /// passed it on after the subrequest's 200), not a subrequest. Checked before the body is read.
    package static func checkCallbackRequest(method: String, headers: some RequestHeaders) -> String? {
        guard method == "POST" else { return "the broker callback takes a POST" }
        guard headers.first("X-Forwarded-Uri") == nil else { return "the broker callback is not a subrequest" }
        let contentType = headers.first("Content-Type").map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        guard contentType == "application/x-www-form-urlencoded" else {
            return "the broker callback takes application/x-www-form-urlencoded"
        }
        return nil
    }

    /// `<url-path>/sso/callback`: the broker's form. The state is used up whatever follows.
    /// - Parameter body: the form body; nil when it was over `maximumBodyBytes`, too slow or cut off.
    package func complete(
        _ request: ForwardedRequest, body: [UInt8]?, cookies: some RequestCookies, now: Int64,
        random: some RandomSource, logger: Logger
    ) async -> (Decision, BrokerResult) {
        guard let body else {
            let reason = "the form body is over 64 KiB, too slow, or cut off"
            logger.notice("broker callback refused", metadata: ["reason": "\(reason)"])
            return (.badRequest(reason: reason, tooLarge: false), .badRequest)
        }
        let fields: FormFields
        do { fields = try FormFields(body) } catch {
            logger.notice("broker callback refused", metadata: ["reason": "\(error)"])
            return (.badRequest(reason: error.description, tooLarge: false), .badRequest)
        }
        guard let state = fields.value("state"),
            let loginState = loginFlow.loginStates.open(state: state, from: cookies, now: now)
        else {
            logger.notice(
                "broker callback refused",
                metadata: ["reason": "state does not match a login started in this browser, or it expired or was used"])
            return (.loginFailed(.stateMismatch, cookies: []), .invalidState)
        }
        let clearState = loginFlow.loginStates.clearing(state: state, domain: loginState.cookieDomain, crossSite: true)
        guard spentStates.spend(state, expiresAt: loginState.expiresAt, now: now) else {
            logger.notice("broker callback refused", metadata: ["reason": "this state was used already (a replay)"])
            return (.loginFailed(.stateMismatch, cookies: [clearState]), .invalidState)
        }
        let plan = LoginPlan(
            returnURL: loginState.returnURL, redirectURI: loginState.redirectURI, cookieDomain: loginState.cookieDomain)
        if let error = fields.value("error") {
            logger.notice(
                "broker: no token from the broker; signing in at the provider",
                metadata: ["error": "\(loggable(error))"])
            return (
                Self.navigating(
                    withCookie(
                        clearState,
                        loginFlow.start(plan, cookies: cookies, now: now, random: random, logger: logger, direct: true))
                ),
                .fallback
            )
        }
        guard let token = fields.value("id_token"), !token.isEmpty else {
            logger.notice("broker callback refused", metadata: ["reason": "neither id_token nor error"])
            return (.loginFailed(.incompleteCallback, cookies: [clearState]), .badRequest)
        }
        let direct = directSignIn(plan)
        let identity: Identity
        do {
            identity = try await loginFlow.provider.verifyBrokeredToken(
                token, brokerAudience: settings.audience, now: now)
        } catch {
            logger.warning("broker: token refused", metadata: ["reason": "\(error.description)"])
            return (
                .loginFailed(
                    .offeringDirectLogin(LoginFailure(error), url: direct.url), cookies: [clearState, direct.cookie]),
                .invalidToken
            )
        }
        if let refreshing = loginFlow.gatekeeper.settings.refresh,
            (identity.issuedAt ?? 0) < now - refreshing.brokerMaximumAge
        {
            logger.warning(
                "broker: token refused",
                metadata: ["reason": "issued more than sso-broker-max-age (\(refreshing.brokerMaximumAge)s) ago"])
            return (
                .loginFailed(
                    .offeringDirectLogin(.invalidToken(.iat), url: direct.url),
                    cookies: [clearState, direct.cookie]), .invalidToken
            )
        }
        if let refusal = loginFlow.refusal(of: identity, logger: logger) {
            return (
                .loginFailed(.offeringDirectLogin(refusal, url: direct.url), cookies: [clearState, direct.cookie]),
                .denied
            )
        }
        let decision = loginFlow.signIn(
            identity, idToken: token, loginState: loginState, request: request, cookies: cookies, now: now,
            random: random, logger: logger, clearing: clearState, via: "login through the broker", endsWithToken: true)
        return (Self.navigating(decision), .accepted)
    }

    /// A refusal's way out: the page links back to where the login started, and a short-lived cookie makes that
    /// visit's login go to the provider rather than to the broker again.
    private func directSignIn(_ plan: LoginPlan) -> (url: String, cookie: SetCookie) {
        var cookie = SetCookie(
            name: loginFlow.directLoginCookie, value: "1", domain: plan.cookieDomain, maxAge: Int(LoginState.lifetime),
            secure: sessions.settings.secure)
        cookie.sameSite = .lax
        return (plan.returnURL, cookie)
    }

    /// A redirect as the page that answers the form POST (`Decision.navigate`: the form page's `form-action`).
    static func navigating(_ decision: Decision) -> Decision {
        guard case .redirect(let location, _, let cookies) = decision else { return decision }
        return .navigate(location: location, cookies: cookies)
    }

    private func withCookie(_ cookie: SetCookie, _ decision: Decision) -> Decision {
        switch decision {
        case .redirect(let location, let status, var cookies):
            cookies.append(cookie)
            return .redirect(location: location, status: status, cookies: cookies)
        case .loginFailed(let failure, var cookies):
            cookies.append(cookie)
            return .loginFailed(failure, cookies: cookies)
        default:
            return decision
        }
    }
}
