import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import FuzzSupport

// The forwarded request: every `X-Forwarded-*` header comes from the proxy, which copies much of it from the
// client. Parsing must never trap, and what it yields must be what rules and the login judge safely.
//
// Input: lines. The first is the subrequest's own request line (`METHOD target`); every further
// `Name: value` line is a header field, repeats kept in order (X-Forwarded-Method/-Proto/-Host/-Uri/-Prefix,
// Host, Cookie, Accept, Authorization, X-Role …).

private let now = FuzzFixtures.now
/// The server's entry point (`DecisionEngine.judge`) in three deployments: cookie domain, auth host, auth host only.
private let engines = [
    FuzzFixtures.gatekeeper, FuzzFixtures.authHostGatekeeper, FuzzFixtures.authHostOnlyGatekeeper,
].map { FuzzFixtures.engine($0) }
private let paths = Route.Paths(urlPath: "/_oauth")
/// The same deployment with upstream-only headers (impersonation, a claim header), which only an auth
/// subrequest's answer may carry.
private let upstreamGatekeeper = Gatekeeper(
    settings: Gatekeeper.Settings(), rules: FuzzFixtures.ruleSet, sessions: FuzzFixtures.sessions,
    access: AccessPolicy(),
    identityHeaders: IdentityHeaders(
        claimHeaders: [.init(header: "X-Groups", claim: "groups")],
        impersonation: .init(groupPrefix: "oidc:", token: ServiceAccountToken("fuzz-service-account-token"))))

/// libFuzzer calls this once before the first input: `FUZZ_MINT_SEEDS=<dir>` writes the minted seeds instead.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    MintedSeeds.writeIfAsked(target: "FuzzForwardedRequest")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForwardedRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let lines = FuzzInput(data, size).lines(limit: 64)
    let requestLine = lines[0].split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
    let (method, target) = requestLine.count == 2 ? (String(requestLine[0]), String(requestLine[1])) : ("GET", lines[0])
    let headers = HeaderList(lines.dropFirst().compactMap(headerField))

    let route = Route(
        forwardedPath: headers.first("X-Forwarded-Uri").map(Route.path(of:)), requestLinePath: Route.path(of: target),
        paths: paths)
    let judgements = engines.map { $0.judge(method: method, target: target, headers: headers, now: now) }
    for judgement in judgements {
        invariant(judgement.route == route, "the engine routed the request elsewhere")
    }
    checkPrefixTrust(headers, method: method, target: target)
    let request: ForwardedRequest
    do {
        request = try ForwardedRequest(headers: headers, method: method, uri: target)
    } catch {
        invariant(!error.description.isEmpty, "an error without a description")
        for judgement in judgements {
            guard case .badRequest = judgement.decision else {
                invariant(false, "the engine judged a request whose headers do not parse")
                continue
            }
        }
        return 0
    }
    checkRequest(request)
    checkStable(request)
    // An independent oracle: the request line is exactly `/` (a query may follow) and X-Forwarded-Uri is there.
    let root = target == "/" || target.hasPrefix("/?")
    invariant(
        request.isAuthSubrequest == (root && headers.first("X-Forwarded-Uri") != nil),
        "auth subrequest misjudged for the target \(target)")
    // More or larger cookies than the server reads: it answers 431 before judging.
    guard let cookies = BrowserCookies.sent(headers.values("Cookie")) else {
        for judgement in judgements {
            guard case .badRequest(_, tooLarge: true) = judgement.decision else {
                invariant(false, "the engine judged a request whose cookies it cannot read")
                continue
            }
        }
        return 0
    }
    guard route == .check || route == .checkWithoutRedirect else { return 0 }
    // The client the engine judges as: nginx's check and `X-Forward-Auth-Redirect: off` refuse a redirect.
    let client: ClientKind =
        route == .checkWithoutRedirect || DecisionEngine.refusesRedirect(headers)
        ? .api : ClientKind(accept: headers.first("Accept"))
    for (engine, judgement) in zip(engines, judgements) {
        let gatekeeper = engine.gatekeeper
        let verdict = gatekeeper.check(request, cookies: cookies, client: client, now: now)
        checkVerdict(verdict, gatekeeper, request, cookies)
        checkJudgement(judgement, verdict, request)
    }
    guard case .answer(let decision) = upstreamGatekeeper.check(request, cookies: cookies, client: client, now: now)
    else { return 0 }
    checkUpstreamOnly(decision, request)
    return 0
}

/// The engine answers what the gatekeeper decided, and starts the login it asked for.
private func checkJudgement(_ judgement: Judgement, _ verdict: CheckVerdict, _ request: ForwardedRequest) {
    switch (verdict, judgement.next) {
    case (.answer, .answer):
        invariant(!judgement.startedLogin, "an answer counted as a login start")
    case (.login, .answer(.redirect(let location, let status, let cookies))):
        invariant(judgement.startedLogin && status == .found, "a login start not marked as one, or not a 302")
        invariant(location.hasPrefix("https://dex.example.com/dex/auth?state="), "a login not sent to the provider")
        invariant(
            cookies.first.map { $0.httpOnly && $0.maxAge > 0 } == true
                && cookies.dropFirst().allSatisfy { $0.maxAge == 0 },
            "a login without its login-state cookie, or setting another")
    case (.verifyBearer(let token, _), .pending(.verifyBearer(let pending, _))):
        invariant(token == pending, "the engine verifies another token")
    default:
        invariant(false, "the engine's judgement does not follow the gatekeeper's verdict")
    }
}

/// Untrusted, a prefix changes nothing that is judged; trusted, a second value is refused.
private func checkPrefixTrust(_ headers: HeaderList, method: String, target: String) {
    let prefixes = headers.values("X-Forwarded-Prefix")
    guard !prefixes.isEmpty else { return }
    let without = HeaderList(headers.fields.filter { !$0.name.caseInsensitiveEquals("X-Forwarded-Prefix") })
    let untrusted = try? ForwardedRequest(headers: headers, method: method, uri: target)
    let plain = try? ForwardedRequest(headers: without, method: method, uri: target)
    invariant((untrusted == nil) == (plain == nil), "an untrusted prefix changed whether the request parses")
    if let untrusted, let plain {
        invariant(untrusted.prefix.isEmpty, "an untrusted prefix was kept")
        invariant(
            untrusted.path == plain.path && untrusted.url == plain.url, "an untrusted prefix changed the judged path")
        invariant(untrusted.ignoredPrefix, "an ignored prefix was not noted")
    }
    let trusted = try? ForwardedRequest(headers: headers, method: method, uri: target, trustPrefix: true)
    if prefixes.count > 1 {
        invariant(trusted == nil, "a trusted prefix sent twice was accepted")
    } else if let trusted, let base = PathNormalizer.normalize(trusted.prefix), base != "/" {
        // The URI's dot-segments never climb out of the prefix the proxy routed on.
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        invariant(trusted.path == root || trusted.path.hasPrefix(root + "/"), "the URI climbed out of the prefix")
    }
}

/// The service account's token, impersonation and claims only in the answer to a proxy's auth subrequest.
private func checkUpstreamOnly(_ decision: Decision, _ request: ForwardedRequest) {
    guard case .allow(let headers) = decision, !headers.isEmpty else { return }
    let names = headers.map(\.name)
    if request.isAuthSubrequest {
        invariant(names.contains("Authorization"), "an auth subrequest's allow lacks the impersonation headers")
    } else {
        invariant(names == ["X-Forwarded-User"], "upstream-only headers for a request that is not an auth subrequest")
    }
}

/// `Name: value`, blanks around the value dropped; a line without a colon is no field.
private func headerField(_ line: String) -> (name: String, value: String)? {
    guard let colon = line.firstIndex(of: ":") else { return nil }
    let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
    return (String(line[..<colon]), String(value))
}

/// What rules, return URLs and logs may rely on.
private func checkRequest(_ request: ForwardedRequest) {
    let path = request.path.utf8
    invariant(path.first == UInt8(ascii: "/"), "path does not start with /: \(request.path)")
    let segments = request.path.split(separator: "/", omittingEmptySubsequences: false)
    invariant(!segments.contains("..") && !segments.contains("."), "dot-segment left in \(request.path)")
    // Nothing an upstream could resolve otherwise: no piece between encoded slashes that is a dot-segment or
    // empty once its `;params` are removed, no decoded backslash from `%5C`.
    for segment in segments.dropFirst() where !segment.isEmpty {
        for piece in segment.split(separator: "%2F", omittingEmptySubsequences: false) {
            let name = piece.prefix { $0 != ";" }
            invariant(name != "." && name != ".." && !name.isEmpty, "an ambiguous segment judged: \(request.path)")
        }
    }
    invariant(!Route.path(of: request.uri).lowercased().contains("%5c"), "a path with %5C was judged")
    invariant(!request.path.contains("\\"), "a path with a backslash was judged")
    invariant(path.allSatisfy { $0 > 0x1F && $0 != 0x7F }, "control character in the judged path")
    invariant(!request.host.utf8.contains { $0 >= 0x41 && $0 <= 0x5A }, "host not lower-case: \(request.host)")
    invariant(!request.method.utf8.contains { $0 >= 0x61 && $0 <= 0x7A }, "method not upper-case")
    invariant(request.uri.utf8.first == UInt8(ascii: "/"), "uri does not start with /")
    invariant(!request.uri.contains("#") && !request.query.contains("#"), "fragment kept in uri or query")
    invariant(!request.prefix.contains("?"), "query in the prefix")

    invariant(AbsoluteURL(request.rootURL)?.authority == request.authority, "rootURL does not parse back")
    let url = request.url
    if url.utf8.count <= 4096, !url.contains("\\") {
        invariant(AbsoluteURL(url)?.authority == request.authority, "url names another authority: \(url)")
    }
}

/// Rebuilding the request from its own parts gives the same request: what was judged is what a second proxy
/// hop (or a login coming back to `url`) would judge.
private func checkStable(_ request: ForwardedRequest) {
    // A prefix sent with two trailing slashes keeps one, which a second hop would strip again: not a state
    // a proxy produces (Traefik's prefixes are configured paths), so not judged here.
    guard !request.prefix.hasSuffix("/") else { return }
    let headers: HeaderList = [
        "X-Forwarded-Method": request.method, "X-Forwarded-Proto": request.scheme.rawValue,
        "X-Forwarded-Host": request.authority.description, "X-Forwarded-Prefix": request.prefix,
        "X-Forwarded-Uri": request.uri,
    ]
    guard let again = try? ForwardedRequest(headers: headers, method: "GET", uri: "/") else {
        invariant(false, "a request does not parse from its own parts")
        return
    }
    invariant(
        again.path == request.path && again.query == request.query && again.authority == request.authority
            && again.method == request.method && again.url == request.url,
        "a request judged from its own parts differs: \(again.path) vs \(request.path)")
}

private func checkVerdict(
    _ verdict: CheckVerdict, _ gatekeeper: Gatekeeper, _ request: ForwardedRequest, _ cookies: CookieHeader
) {
    let domains = gatekeeper.sessions.settings.domains
    let authHost = gatekeeper.settings.authHost
    if let authHost, domains.isEmpty, request.host != authHost.host {
        // Auth-host-only mode sends every other host to the auth host, keeping path and query.
        guard case .answer(.redirect(let location, _, _)) = verdict else {
            invariant(false, "a foreign host was not sent to the auth host")
            return
        }
        if location.utf8.count <= 4096, !location.contains("\\") {
            invariant(AbsoluteURL(location)?.authority == authHost, "auth-host redirect leaves the auth host")
        }
        return
    }
    if FuzzFixtures.isBlocked(path: request.path, method: request.method) {
        guard case .answer(.forbidden) = verdict else {
            invariant(false, "the deny rule was bypassed for \(request.method) \(request.path)")
            return
        }
    }
    let decision: Decision
    switch verdict {
    case .login(let plan):
        invariant(plan.returnURL.utf8.count <= LoginState.maximumReturnURLLength, "return URL not capped")
        invariant(plan.redirectURI.hasSuffix("/_oauth"), "redirect_uri is not the callback")
        invariant(
            domains.isEmpty || domains.contains { Authority.host(request.host, isUnder: $0) }
                || request.host == authHost?.host,
            "login started for a host this deployment does not serve")
        return
    case .verifyBearer(let token, _):
        invariant(!token.isEmpty && request.headers.first("Authorization") != nil, "bearer check without a token")
        return
    case .answer(let answer):
        decision = answer
    }
    switch decision {
    case .allow(let headers) where headers.isEmpty:
        invariant(
            FuzzFixtures.isPublic(host: request.host, path: request.path, method: request.method),
            "allowed without a session or an allow rule: \(request.host) \(request.path)")
    case .allow(let headers):
        guard case .valid(let session) = gatekeeper.sessions.session(from: cookies, now: now) else {
            invariant(false, "identity headers without a valid session")
            return
        }
        invariant(headers.allSatisfy { $0.value == session.email }, "identity headers name someone else")
    case .redirect:
        invariant(false, "a redirect outside auth-host-only mode")
    case .badRequest:
        invariant(false, "the check answered 400 for a request that parsed")
    case .unavailable:
        invariant(false, "503 without RBAC or impersonation configured")
    case .loginFailed, .signedOut, .brokerForm, .navigate:
        invariant(false, "a check answered with a login or broker page")
    case .forbidden, .unauthenticated:
        break
    }
}
