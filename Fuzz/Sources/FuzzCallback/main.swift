import ForwardAuth
import ForwardAuthWire
import FuzzSupport

// The login's way back: the callback query (`code`, `state`, `error`), the login-state cookie it must match,
// and the return URL, which must never send the browser to a host this deployment does not own.
//
// Input: lines.
//   0   the query of the callback (`/_oauth?…`) and of the login start (`/_oauth/start?…`, with `rd`);
//   1   the return URL the login state remembers (also checked directly against the return-URL policy);
//   2   the host the browser called back on (empty: app.example.com);
//   3…  `Cookie` header values, sent before the login-state cookie (so they can shadow it).
// Line 0 is also the SSO broker's query and callback form (Broker.swift).
// The code `email|name|group,group` is the identity the fake provider vouches for.

private let now = FuzzFixtures.now
/// The `state` of the login in progress; the seed queries carry it.
private let state = "fuzz-state-0123456789abcdef"
private let nonce = FuzzFixtures.nonce
private let loginStates = FuzzFixtures.loginStates
/// The server's entry point: the callback is pending work it resumes; the login start it answers at once.
private let engine = FuzzFixtures.engine(FuzzFixtures.gatekeeper)
private let flow = engine.loginFlow
private let policies = [
    ReturnURLPolicy(cookieDomains: [FuzzFixtures.cookieDomain], authHost: "auth.example.com"),
    ReturnURLPolicy(cookieDomains: [], authHost: nil),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCallback(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = FuzzInput(data, size).lines(limit: 12)
    let query = lines[0]
    let returnURL = lines.count > 1 ? lines[1] : ""
    let host = lines.count > 2 && !lines[2].isEmpty ? lines[2] : "app.example.com"

    if let start = Authority(parsing: host) {
        for policy in policies {
            for secure in [false, true] { checkReturnURL(returnURL, policy: policy, start: start, secure: secure) }
        }
    }

    let pending = LoginState(
        state: state, nonce: nonce, codeVerifier: "fuzz-verifier", redirectURI: "https://\(host)/_oauth",
        returnURL: returnURL, expiresAt: now + LoginState.lifetime)
    let minted = loginStates.issue(pending, domain: nil, existing: CookieList([]), now: now, random: FixedRandom())
    let cookieHeaders = Array(lines.dropFirst(3)) + [BrowserCookies.header(for: minted)]
    guard let cookies = BrowserCookies.sent(cookieHeaders) else { return 0 }

    // The query itself as the state: only the pending login's own state opens it.
    if let opened = loginStates.open(state: query, from: cookies, now: now) {
        invariant(opened.state == query && opened.expiresAt > now, "a login state opened for another state")
    }

    // Traefik forwards the callback (`X-Forwarded-Uri`); nginx calls the login start on the request line.
    let callback = judge(target: "/", host: host, forwardedURI: "/_oauth?" + query, cookieHeaders)
    if let request = callback.request {
        guard case .pending(.completeLogin) = callback.next else {
            invariant(false, "the callback was not left to the login flow")
            return 0
        }
        let resumed = runBlocking { await engine.resume(callback) }
        checkCallback(resumed.decision, request.forwarded, cookies)
    }
    fuzzBroker(
        query: query, host: host, state: state, loginState: pending, cookieHeaders: Array(lines.dropFirst(3)))
    let start = judge(target: "/_oauth/start?" + query, host: host, forwardedURI: nil, cookieHeaders)
    if let request = start.request, start.route == .startLogin {
        invariant(start.startedLogin, "a login start not counted as one")
        checkStart(start.decision, request.forwarded)
    }
    return 0
}

/// The engine's judgement of a proxy's request for `host`, with the browser's `Cookie` headers.
private func judge(target: String, host: String, forwardedURI: String?, _ cookieHeaders: [String]) -> Judgement {
    var fields = [(name: "X-Forwarded-Proto", value: "https"), (name: "X-Forwarded-Host", value: host)]
    if let forwardedURI { fields.append((name: "X-Forwarded-Uri", value: forwardedURI)) }
    fields += cookieHeaders.map { (name: "Cookie", value: $0) }
    return engine.judge(method: "GET", target: target, headers: HeaderList(fields), now: now)
}

/// An accepted return URL is absolute http(s), carries nothing a browser could read differently, and names a
/// host under the cookie domains (or the auth host); without cookie domains, the host the login started on.
private func checkReturnURL(_ candidate: String, policy: ReturnURLPolicy, start: Authority, secure: Bool) {
    guard let accepted = policy.validate(candidate, start: start, secure: secure) else { return }
    invariant(accepted == candidate, "validate changed the URL")
    invariant(
        policy.validate(candidate[...], start: start, secure: secure) == accepted, "a substring judged differently")
    guard let url = AbsoluteURL(accepted) else {
        invariant(false, "an accepted return URL does not parse")
        return
    }
    let lower = accepted.lowercased()
    invariant(lower.hasPrefix("https://") || lower.hasPrefix("http://"), "accepted a non-http(s) URL")
    invariant(url.isHTTPS || !secure, "a flow that started on https returns to http")
    invariant(
        accepted.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") },
        "accepted a URL with blanks, controls, backslashes or non-ASCII")
    // The authority a browser reads: from after `//` up to the first `/`, `?` or `#`. No userinfo may hide there.
    let afterScheme = accepted.utf8.dropFirst(url.isHTTPS ? 8 : 7)
    let authority = afterScheme.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
    invariant(!authority.contains(UInt8(ascii: "@")), "userinfo in an accepted URL")
    let hostEnd =
        authority.first == UInt8(ascii: "[")
        ? authority.firstIndex(of: UInt8(ascii: "]")).map { authority.index(after: $0) } ?? authority.endIndex
        : authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
    invariant(
        String(decoding: authority[..<hostEnd], as: UTF8.self).lowercased() == url.authority.host,
        "the host a browser reads differs from the one judged")
    if policy.cookieDomains.isEmpty {
        invariant(url.authority.host == start.host, "accepted another host than the start host")
        invariant(
            (url.authority.port ?? (url.isHTTPS ? 443 : 80)) == (start.port ?? (secure ? 443 : 80)),
            "accepted another port than the start port")
    } else {
        invariant(
            policy.cookieDomains.contains { Authority.host(url.authority.host, isUnder: $0) }
                || url.authority.host == policy.authHost,
            "accepted a host outside the cookie domains: \(url.authority.host)")
    }
}

/// Where the browser may be sent after a login: a URL the policy accepts, or the root of the callback's host.
private func checkDestination(_ location: String, _ request: ForwardedRequest) {
    guard location != request.rootURL else { return }
    invariant(
        flow.gatekeeper.returnURLs.validate(location, start: request.authority, secure: request.scheme == .https)
            == location,
        "a login sends the browser to an unchecked URL: \(location.prefix(80))")
}

private func checkCallback(_ decision: Decision?, _ request: ForwardedRequest, _ cookies: CookieHeader) {
    switch decision {
    case .redirect(let location, let status, let setCookies):
        invariant(status == .found, "callback redirect with \(status)")
        checkDestination(location, request)
        invariant(loginStates.open(state: state, from: cookies, now: now) != nil, "a login completed without its state")
        let returned = BrowserCookies.returned(setCookies)
        guard case .valid(let session) = flow.gatekeeper.sessions.session(from: returned, now: now) else {
            invariant(false, "a completed login set no session that opens")
            return
        }
        invariant(!session.email.isEmpty && session.expiresAt > now, "a completed login minted an unusable session")
        invariant(
            setCookies.contains { $0.name == loginStates.cookieName(forState: state) && $0.maxAge == 0 },
            "a completed login left its state cookie behind")
    case .loginFailed(let failure, _):
        invariant(
            [400, 401, 403, 502].contains(failure.page.status), "callback page with status \(failure.page.status)")
    default:
        invariant(false, "callback answered \(String(describing: decision))")
    }
}

private func checkStart(_ decision: Decision?, _ request: ForwardedRequest) {
    switch decision {
    case .redirect(let location, _, let setCookies):
        invariant(location.hasPrefix("https://dex.example.com/dex/auth?state="), "login start not sent to the provider")
        let started = location.dropFirst("https://dex.example.com/dex/auth?state=".count).prefix { $0 != "&" }
        let returned = BrowserCookies.returned(setCookies)
        guard let login = loginStates.open(state: String(started), from: returned, now: now) else {
            invariant(false, "a started login set no state cookie that opens")
            return
        }
        checkDestination(login.returnURL, request)
        invariant(
            login.returnURL.utf8.count <= LoginState.maximumReturnURLLength,
            "return URL of \(login.returnURL.utf8.count) bytes not capped")
    case .forbidden:
        invariant(!flow.gatekeeper.returnURLs.mayStartLogin(forHost: request.host), "login refused for a served host")
    default:
        invariant(false, "login start answered \(String(describing: decision))")
    }
}
