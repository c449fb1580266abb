import ForwardAuthWire
import Logging

/// How a session refresh ended: the `result` label of `forward_auth_refreshes_total`.
package enum RefreshResult: Int, Sendable, CaseIterable {
    /// Renewed at the provider: a new session cookie.
    case refreshed
    /// The provider refused the refresh token (Dex 400): kept to its hard end, no more tries with it.
    case refused
    /// The provider ended it (Dex 500: user removed, connector failed), or it came back for another subject or a
    /// user the allow-lists now refuse: the session is cleared.
    case ended
    /// The provider could not be reached: kept, tried again in a minute.
    case unavailable
    /// The refreshed ID token did not verify: kept to its hard end, no more tries.
    case invalidToken
    /// Nothing to refresh (no session, none refreshable, or a marker holds it back): back to the page.
    case skipped

    package var label: String {
        switch self {
        case .refreshed: "refreshed"
        case .refused: "refused"
        case .ended: "ended"
        case .unavailable: "unavailable"
        case .invalidToken: "invalid_token"
        case .skipped: "skipped"
        }
    }
}

extension LoginFlow {
    /// `<url-path>/refresh?rd=<return URL>`: renews the browser's session at the provider and sends it back to
    /// `rd` (checked as a login's return URL), with the renewed cookie, or without a session when the provider
    /// ended it. Always a 302: the proxy passes `Set-Cookie` on only with a non-2xx answer.
    package func refresh(
        _ request: ForwardedRequest, cookies: some RequestCookies, now: Int64, random: some RandomSource,
        logger: Logger
    ) async -> (Decision, RefreshResult) {
        let back =
            CallbackQuery(request.query).value("rd").flatMap {
                gatekeeper.returnURLs.validate($0, start: request.authority, secure: request.scheme == .https)
            } ?? request.rootURL
        guard let settings = gatekeeper.settings.refresh, request.method == "GET" || request.method == "HEAD",
            case .valid(let session) = sessions.session(from: cookies, now: now), let refresh = session.refresh,
            wantsRefresh(session, cookies: cookies, now: now)
        else { return (.redirect(location: back, status: .found, cookies: []), .skipped) }
        let user: Logger.Metadata = ["user": "\(session.email)"]
        let markerDomain = sessions.settings.domainAttribute(for: request.host)
        switch await provider.refreshSession(refreshToken: refresh.token, now: now) {
        case .refreshed(let identity, let subject, let idToken, let refreshToken):
            guard subject == refresh.subject else {
                logger.warning("refresh: the provider answered for another subject; session ended", metadata: user)
                return (
                    .redirect(location: back, status: .found, cookies: sessions.clearing(host: request.host)), .ended
                )
            }
            var renewed = session
            if let identity {
                if refusal(of: identity, logger: logger) != nil {
                    return (
                        .redirect(location: back, status: .found, cookies: sessions.clearing(host: request.host)),
                        .ended
                    )
                }
                renewed.email = identity.email
                renewed.name = identity.displayName
                renewed.groups = groupsFilter.apply(identity.groups)
                renewed.claims = gatekeeper.identityHeaders.keptClaims(of: identity.claims)
            }
            // The old ID token is stale now: kept when none came back, the broker would renew it forever.
            renewed.idToken =
                session.idToken != nil || broker.deliversTokens || gatekeeper.identityHeaders.tokenForwarding != nil
                ? idToken : nil
            renewed.issuedAt = now
            renewed.expiresAt = min(now + sessions.settings.lifetime, refresh.firstLogin + settings.maximumAge)
            renewed.id = random.bytes(16)
            renewed.groupsInClaimsCookie = false
            renewed.refresh = Session.Refresh(
                token: refreshToken ?? refresh.token, due: min(now + settings.interval, renewed.expiresAt),
                firstLogin: refresh.firstLogin, subject: subject)
            var setCookies = sessions.issue(renewed, host: request.host, existing: cookies, random: random)
            if cookies.value(sessions.refreshMarkerName) != nil {
                setCookies.append(
                    .clearing(sessions.refreshMarkerName, domain: markerDomain, secure: sessions.settings.secure))
            }
            logger.info("refresh", metadata: user)
            return (.redirect(location: back, status: .found, cookies: setCookies), .refreshed)
        case .refused:
            // Another tab may have won with this token: its cookie, if it arrived, is a newer session the marker
            // does not hold back. Nothing else is written, so the winner's cookie is never overwritten.
            logger.notice("refresh refused by the provider; the session lasts to its end", metadata: user)
            return (
                .redirect(
                    location: back, status: .found,
                    cookies: [marker(session, retryAt: 0, domain: markerDomain, now: now)]), .refused
            )
        case .ended:
            logger.notice("refresh: the provider ended the session (user removed or connector failed)", metadata: user)
            return (.redirect(location: back, status: .found, cookies: sessions.clearing(host: request.host)), .ended)
        case .unavailable(let reason):
            logger.warning(
                "refresh: the provider could not be reached; trying again in a minute",
                metadata: user.merging(["reason": "\(reason)"]) { $1 })
            return (
                .redirect(
                    location: back, status: .found,
                    cookies: [
                        marker(session, retryAt: now + RefreshSettings.retryDelay, domain: markerDomain, now: now)
                    ]),
                .unavailable
            )
        case .invalid(let error):
            logger.warning("refresh: \(error.description); the session lasts to its end", metadata: user)
            return (
                .redirect(
                    location: back, status: .found,
                    cookies: [marker(session, retryAt: 0, domain: markerDomain, now: now)]), .invalidToken
            )
        }
    }

    /// Whether `session` is to be renewed now: refreshable, no marker holding it back, not past `refresh-max-age`
    /// (it then runs to its hard end and logs in again), and past its soft end or, at a broker, holding a token
    /// older than `sso-broker-max-age` (renewed before brokering). The refresh endpoint and the broker ask this
    /// one question, so neither sends the browser to a refresh the other would skip (a loop); a stale tab, or
    /// anyone, asking earlier gets its page back without a call to the provider.
    func wantsRefresh(_ session: Session, cookies: some RequestCookies, now: Int64) -> Bool {
        guard let settings = gatekeeper.settings.refresh, let refresh = session.refresh,
            now < refresh.firstLogin + settings.maximumAge,
            !sessions.refreshHeldBack(sessionID: session.id, in: cookies, now: now)
        else { return false }
        return settings.isDue(refresh.due, firstLogin: refresh.firstLogin, now: now)
            || brokerTokenIsOld(session, settings, now: now)
    }

    /// At a broker: the session's ID token was issued more than `sso-broker-max-age` ago.
    func brokerTokenIsOld(_ session: Session, _ settings: RefreshSettings, now: Int64) -> Bool {
        guard broker.deliversTokens, let issued = session.idToken.flatMap({ SSOBroker.numericClaim("iat", of: $0) })
        else { return false }
        return issued < now - settings.brokerMaximumAge
    }

    /// The marker for `session`, kept as long as the session.
    private func marker(_ session: Session, retryAt: Int64, domain: String?, now: Int64) -> SetCookie {
        SetCookie(
            name: sessions.refreshMarkerName, value: RefreshMarker(sessionID: session.id, retryAt: retryAt).value,
            domain: domain, maxAge: Int(max(0, session.expiresAt - now)), secure: sessions.settings.secure)
    }
}
