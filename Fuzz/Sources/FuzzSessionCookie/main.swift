import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import FuzzSupport

// Session cookies: what every request through the ingress carries, so opening must never trap, and what the
// code seals must open again.
//
// Input: a mode byte, then
//   0  `Cookie` header values, one per line, opened as the session (and claims) cookies;
//   1  two plaintexts, split at the first NUL, sealed with the real keys as the session and the claims
//      cookie, so the payload decoders see arbitrary bytes behind a valid seal;
//   2  a session's fields (repeat byte, then email NUL name NUL groups(,-separated) NUL id token), issued,
//      sent back and opened: it must come back unchanged.

private let sessions = FuzzFixtures.sessions
private let settings = FuzzFixtures.cookieSettings
private let now = FuzzFixtures.now
private let claimsSealer = Sealer(
    keys: FuzzFixtures.keys.keys(for: "claims"), purpose: "claims", cookieName: settings.claimsName,
    maximumLength: 8 * 3800)
private let sessionSealer = Sealer(
    keys: FuzzFixtures.keys.keys(for: "session"), purpose: "session", cookieName: settings.sessionName)

/// Browsers keep cookies up to about 4096 bytes, name and attributes included.
private let browserCookieLimit = 4096

/// libFuzzer calls this once before the first input: `FUZZ_MINT_SEEDS=<dir>` writes the minted seeds instead.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    MintedSeeds.writeIfAsked(target: "FuzzSessionCookie")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSessionCookie(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (mode, payload) = FuzzInput(data, size).modeAndPayload else { return 0 }
    switch mode % 3 {
    case 0: openHeaders(payload)
    case 1: openSealedPlaintext(payload)
    default: roundTrip(payload)
    }
    return 0
}

private func openHeaders(_ payload: FuzzInput) {
    guard let cookies = BrowserCookies.sent(payload.lines(limit: 16)) else { return }
    check(sessions.session(from: cookies, now: now))
}

private func openSealedPlaintext(_ payload: FuzzInput) {
    let parts = payload.bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    let random = FixedRandom()
    var pairs = [(name: settings.sessionName, value: sessionSealer.seal(Array(parts[0]), random: random))]
    if parts.count > 1 {
        pairs.append((name: settings.claimsName, value: claimsSealer.seal(Array(parts[1]), random: random)))
    }
    check(sessions.session(from: CookieList(pairs), now: now))
}

private func roundTrip(_ payload: FuzzInput) {
    guard let (repeats, fields) = payload.modeAndPayload else { return }
    let parts = fields.pieces(separatedBy: 0, limit: 4)
    let groups = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
    let session = Session(
        email: parts[0], name: parts.count > 1 ? parts[1] : "",
        groups: Array(repeatElement(groups, count: Int(repeats % 64) + 1).joined()),
        issuedAt: now - 10, expiresAt: now + 3600, id: FixedRandom(seed: repeats).bytes(16),
        idToken: parts.count > 3 ? parts[3] : nil)
    let issued = sessions.issue(session, host: "app.example.com", existing: CookieList([]), random: FixedRandom())
    checkIssued(issued, for: session)
    // Cookies a browser would drop never come back; for the others the session must open unchanged.
    guard issued.allSatisfy({ $0.name.utf8.count + $0.value.utf8.count < browserCookieLimit }) else { return }
    let returned = BrowserCookies.returned(issued)
    let lookup = sessions.session(from: returned, now: now)
    guard case .valid(let opened) = lookup else {
        invariant(false, "an issued session (\(session.groups.count) groups) opens as \(lookup)")
        return
    }
    // A session too large for every claims cookie is issued trimmed (token, then trailing groups): compare
    // with what `fitting` says was kept, and check that trimming only ever removes.
    let (kept, trimmed) = sessions.fitting(session)
    invariant(trimmed != nil || sameSession(kept, session), "fitting changed a session that fits")
    invariant(kept.groups.count <= session.groups.count, "fitting added groups")
    invariant(sameSession(opened, kept), "the session changed between issue and open")
}

/// What holds for any lookup: a valid session has not expired, and what opened seals and opens again.
private func check(_ lookup: SessionCookies.Lookup) {
    guard case .valid(let session) = lookup else { return }
    invariant(!session.isExpired(now: now), "an expired session opened as valid")
    var fresh = session
    fresh.groupsInClaimsCookie = false
    let issued = sessions.issue(fresh, host: "app.example.com", existing: CookieList([]), random: FixedRandom())
    checkIssued(issued, for: fresh)
    let returned = CookieList(issued.filter { $0.maxAge > 0 }.map { (name: $0.name, value: $0.value) })
    guard case .valid(let reopened) = sessions.session(from: returned, now: now) else {
        invariant(false, "a session that opened does not open again after re-issuing")
        return
    }
    invariant(sameSession(reopened, session), "re-issuing an opened session changed it")
}

/// What holds for every issued cookie set: every value is cookie-safe (the display name as Go's net/http writes
/// it), all live on the cookie domain, and the session cookie comes first.
private func checkIssued(_ issued: [SetCookie], for session: Session) {
    invariant(issued.first?.name == settings.sessionName, "the session cookie is not issued first")
    for cookie in issued {
        invariant(cookie.domain == FuzzFixtures.cookieDomain, "cookie \(cookie.name) set on \(cookie.domain ?? "-")")
        let safe =
            cookie.name == settings.userName
            ? isGoCookieValue(cookie.value) : cookie.value.utf8.allSatisfy(isCookieOctet)
        invariant(safe, "cookie \(cookie.name) has a value a Cookie header cannot carry")
    }
}

/// The display name as Go's net/http writes a value: printable ASCII but `"`, `;` and `\`, in double quotes when
/// it holds a space or a comma (browsers take that form; it can never end the value or add an attribute).
private func isGoCookieValue(_ value: String) -> Bool {
    var bytes = Substring(value).utf8[...]
    let quoted = bytes.count >= 2 && bytes.first == UInt8(ascii: "\"") && bytes.last == UInt8(ascii: "\"")
    if quoted { bytes = bytes.dropFirst().dropLast() }
    let inner = bytes.allSatisfy {
        $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "\\")
    }
    let needsQuotes = bytes.contains(UInt8(ascii: " ")) || bytes.contains(UInt8(ascii: ","))
    return inner && quoted == needsQuotes
}

/// RFC 6265 §4.1.1 `cookie-octet`: visible ASCII but DQUOTE, comma, semicolon and backslash.
private func isCookieOctet(_ byte: UInt8) -> Bool {
    byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: ",")
        && byte != UInt8(ascii: ";") && byte != UInt8(ascii: "\\")
}

private func sameSession(_ a: Session, _ b: Session) -> Bool {
    a.email == b.email && a.name == b.name && a.groups == b.groups && a.issuedAt == b.issuedAt
        && a.expiresAt == b.expiresAt && a.id == b.id && a.idToken == b.idToken
}
