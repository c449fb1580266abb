import ForwardAuth
import ForwardAuthWire
import FuzzSupport

// The SSO broker's two inputs from outside, with the callback's lines:
//   - line 0 as the query of the UI instance's `<url-path>/sso` (with and without a UI session);
//   - line 0 as the form body of the attached instance's `<url-path>/sso/callback` POST, with the login-state
//     cookie of a brokered login in progress (the state is `state`, as for the callback).
// An `id_token` field carries `email|name|groups` for the fake provider.

/// The instance is both: a broker for one listed callback, and attached to a broker (itself).
private let listed = "https://app.example.com/_oauth/sso/callback"
private let brokerEngine: DecisionEngine = {
    let gatekeeper = FuzzFixtures.gatekeeper
    return DecisionEngine(
        loginFlow: LoginFlow(
            gatekeeper: gatekeeper, loginStates: FuzzFixtures.loginStates,
            provider: FakeIdentityProvider(expectedNonce: FuzzFixtures.nonce), logoutRedirect: nil,
            broker: BrokerSettings(callbacks: [listed], brokerURL: "https://auth.example.com/_oauth/sso")),
        random: FixedRandom(), logger: FuzzFixtures.logger)
}()
private var uiSession: Session {
    var session = FuzzFixtures.session()
    session.idToken = "header.eyJleHAiOjQxMDI0NDQ4MDB9.signature"
    return session
}

func fuzzBroker(query: String, host: String, state: String, loginState: LoginState, cookieHeaders: [String]) {
    let sessionHeader = FuzzFixtures.sessionCookieHeader(uiSession)
    for headers in [cookieHeaders, cookieHeaders + [sessionHeader]] {
        let delivery = brokerJudge(method: "GET", target: "/_oauth/sso?" + query, host: host, headers)
        guard delivery.request != nil else { continue }
        invariant(delivery.route == .brokerDelivery, "the broker path routed to \(delivery.route)")
        if case .brokerForm(let form, _) = delivery.decision {
            invariant(form.action == listed, "a form posts to an unlisted callback: \(form.action.prefix(80))")
            if let token = form.fields.first(where: { $0.name == "id_token" }) {
                invariant(headers.count > cookieHeaders.count, "a token delivered without a UI session")
                invariant(token.value == uiSession.idToken, "a token other than the session's was delivered")
            }
        }
    }

    // The brokered login in progress: its state cookie is the cross-site one.
    let minted = FuzzFixtures.loginStates.issue(
        loginState, domain: nil, existing: CookieList([]), now: FuzzFixtures.now, random: FixedRandom(),
        crossSite: true)
    let headers = cookieHeaders + [BrowserCookies.header(for: minted)]
    guard let cookies = BrowserCookies.sent(headers) else { return }
    var fields = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
    fields += [(name: "X-Forwarded-Proto", value: "https"), (name: "X-Forwarded-Host", value: host)]
    fields += headers.map { (name: "Cookie", value: $0) }
    let callback = brokerEngine.judge(
        method: "POST", target: "/_oauth/sso/callback", headers: HeaderList(fields), now: FuzzFixtures.now)
    guard let request = callback.request?.forwarded, case .pending(.completeBrokeredLogin) = callback.next else {
        return
    }
    let resumed = runBlocking { await brokerEngine.resume(callback, body: Array(query.utf8)) }
    switch resumed.decision {
    case .redirect(_, _, _):
        invariant(false, "the broker callback answered the form POST with a redirect (its form-action blocks it)")
    case .navigate(let location, let setCookies):
        let returned = BrowserCookies.returned(setCookies)
        if case .valid(let session) = brokerEngine.gatekeeper.sessions.session(from: returned, now: FuzzFixtures.now) {
            invariant(
                FuzzFixtures.loginStates.open(state: state, from: cookies, now: FuzzFixtures.now) != nil,
                "a brokered session minted without its state")
            invariant(session.expiresAt <= FuzzFixtures.now + 60, "a brokered session outlives its token")
            invariant(
                location == request.rootURL
                    || brokerEngine.gatekeeper.returnURLs.validate(
                        location, start: request.authority, secure: request.scheme == .https) == location,
                "a brokered login sends the browser to an unchecked URL: \(location.prefix(80))")
        } else {
            invariant(location.hasPrefix("https://dex.example.com/dex/auth?"), "a broker callback redirected elsewhere")
        }
    case .loginFailed, .badRequest:
        break
    default:
        invariant(false, "the broker callback answered \(String(describing: resumed.decision))")
    }
}

private func brokerJudge(method: String, target: String, host: String, _ cookieHeaders: [String]) -> Judgement {
    var fields = [(name: "X-Forwarded-Proto", value: "https"), (name: "X-Forwarded-Host", value: host)]
    fields += cookieHeaders.map { (name: "Cookie", value: $0) }
    return brokerEngine.judge(method: method, target: target, headers: HeaderList(fields), now: FuzzFixtures.now)
}
