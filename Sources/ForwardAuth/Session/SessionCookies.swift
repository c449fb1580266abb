import ForwardAuthOIDC
import ForwardAuthWire

/// Reads and writes the session cookie, the display-name cookie and the claims cookie(s).
package struct SessionCookies: Sendable {
    package let settings: CookieSettings
    private let sessionSealer: Sealer
    private let claimsSealer: Sealer
    /// Opens the Go fork's cookies when ours do not open; nil with `accept-go-cookies` off.
    private let goCookies: GoCookieReader?
    /// Internal for tests: what was kept.
    let opened = OpenedSessions()

    /// The cookie of a `RefreshMarker`.
    package var refreshMarkerName: String { settings.sessionName + "_refresh" }

    /// Whether the browser's `RefreshMarker` holds a refresh of session `sessionID` back at `now`.
    package func refreshHeldBack(sessionID: [UInt8], in cookies: some RequestCookies, now: Int64) -> Bool {
        cookies.value(refreshMarkerName).flatMap(RefreshMarker.init)?.holds(sessionID: sessionID, now: now) ?? false
    }

    /// Browsers keep about 4096 bytes per cookie, name and attributes included.
    static let maximumValueLength = 3800
    /// Groups that do not fit spill into at most this many claims cookies.
    static let maximumClaimsChunks = 8

    package init(settings: CookieSettings, keys: CookieKeys, goCookies: GoCookieReader? = nil) {
        self.settings = settings
        self.goCookies = goCookies
        self.sessionSealer = Sealer(
            keys: keys.keys(for: "session"), purpose: "session", cookieName: settings.sessionName)
        self.claimsSealer = Sealer(
            keys: keys.keys(for: "claims"), purpose: "claims", cookieName: settings.claimsName,
            maximumLength: Self.maximumValueLength * Self.maximumClaimsChunks)
    }

    package enum Lookup: Sendable, Hashable {
        case valid(Session)
        case missing
        /// Present but not ours, tampered, or from a key we no longer hold.
        case invalid
        case expired
    }

    /// Opens the session cookie. No I/O: one AES-GCM open (two when groups live in the claims cookie), none
    /// for a cookie value opened before (`OpenedSessions`). A value that is not ours may be the Go fork's (same
    /// cookie name): only then, `goCookies` reads it.
    package func session(from cookies: some RequestCookies, now: Int64) -> Lookup {
        guard let value = cookies.value(settings.sessionName) else { return .missing }
        // One spelling per sealed value, checked before the cache: a variant that decodes to the same bytes is
        // refused rather than opened and remembered as a second entry.
        guard Sealer.endsCanonically(value) else { return goSession(from: cookies, now: now) }
        var session: Session
        if let known = opened.value(for: value) {
            session = known
        } else {
            guard let plaintext = sessionSealer.open(value), let decoded = Session(decoding: plaintext) else {
                return goSession(from: cookies, now: now)
            }
            session = decoded
            opened.remember(session, for: value)
        }
        if session.isExpired(now: now) { return .expired }
        if session.groupsInClaimsCookie {
            guard let claims = spilledClaims(from: cookies, sessionID: session.id) else { return .invalid }
            session.groups = claims.groups
            session.idToken = claims.idToken
        }
        return .valid(session)
    }

    /// The session cookie is not ours: the Go fork's cookies, if `accept-go-cookies` reads them, else invalid.
    /// Not cached in `opened`: these sessions only last out the swap, and each read costs two HMACs, two AES-CTR
    /// decryptions and a small JSON document, with no allocation an attacker can grow.
    private func goSession(from cookies: some RequestCookies, now: Int64) -> Lookup {
        guard let goCookies else { return .invalid }
        switch goCookies.session(from: cookies, now: now) {
        case .success(let session): return .valid(session)
        case .failure(.expired): return .expired
        case .failure: return .invalid
        }
    }

    /// The cookies that establish `session` for a browser on `host`; `existing` are the cookies the browser
    /// sent, so stale claims chunks can be cleared.
    package func issue(
        _ session: Session, host: String, existing: some RequestCookies, random: some RandomSource
    ) -> [SetCookie] {
        let domain = settings.domainAttribute(for: host)
        var session = fitting(session).session
        var cookies: [SetCookie] = []
        var value = sessionSealer.seal(session.encoded(), random: random)
        var claimsChunks: [String] = []
        if value.utf8.count > Self.maximumValueLength {
            let claims = GroupClaims(sessionID: session.id, groups: session.groups, idToken: session.idToken)
            let sealedClaims = claimsSealer.seal(claims.encoded(), random: random)
            claimsChunks = Self.chunks(of: sealedClaims)
            session.groups = []
            session.idToken = nil
            session.groupsInClaimsCookie = true
            value = sessionSealer.seal(session.encoded(), random: random)
        }
        cookies.append(cookie(settings.sessionName, value, domain: domain))
        cookies.append(displayNameCookie(session.name, domain: domain))
        for (index, chunk) in claimsChunks.enumerated() {
            cookies.append(cookie(claimsChunkName(index), chunk, domain: domain))
        }
        // Clear what an earlier, larger session left behind. Groups too many for every chunk give more chunks
        // than that (found by fuzzing: the range then trapped); there is nothing left to clear.
        for index in min(claimsChunks.count, Self.maximumClaimsChunks)..<Self.maximumClaimsChunks
        where existing.value(claimsChunkName(index)) != nil {
            cookies.append(.clearing(claimsChunkName(index), domain: domain, secure: settings.secure))
        }
        return cookies
    }

    /// Plaintext bytes the claims cookies can hold: `maximumClaimsChunks` cookies of `maximumValueLength`
    /// characters, less the sealing's prefix, nonce and tag, in base64url.
    static let maximumClaimsPayload = (maximumValueLength * maximumClaimsChunks - 3) * 3 / 4 - 28

    /// `session` as the cookies can hold it. When its groups and ID token exceed even the claims cookies, the
    /// token is dropped first, then groups from the end: fewer groups never grant more. `trimmed` says what was
    /// dropped, for the login's log line; nil when the session fits whole.
    package func fitting(_ session: Session) -> (session: Session, trimmed: String?) {
        var claims = GroupClaims(sessionID: session.id, groups: session.groups, idToken: session.idToken)
        guard claims.encoded().count > Self.maximumClaimsPayload else { return (session, nil) }
        var session = session
        var trimmed: [String] = []
        if claims.idToken != nil {
            claims.idToken = nil
            session.idToken = nil
            trimmed.append("the ID token (not forwarded)")
        }
        var size = claims.encoded().count
        let total = claims.groups.count
        while size > Self.maximumClaimsPayload, let last = claims.groups.popLast() {
            size -= last.utf8.count + 2
        }
        if claims.groups.count < total {
            session.groups = claims.groups
            trimmed.append("\(total - claims.groups.count) of \(total) groups")
        }
        return (session, trimmed.isEmpty ? nil : trimmed.joined(separator: " and "))
    }

    /// Cookies that delete every session cookie this instance sets, on `host`'s cookie domain and on the host
    /// itself (a cookie set before `cookie-domain` was configured lives there).
    package func clearing(host: String) -> [SetCookie] {
        var domains = [settings.domainAttribute(for: host)]
        if domains[0] != host { domains.append(host) }
        let names =
            [settings.sessionName, settings.userName, refreshMarkerName]
            + (0..<Self.maximumClaimsChunks).map(claimsChunkName)
        return domains.flatMap { domain in
            names.map { name in
                SetCookie.clearing(name, domain: domain, secure: settings.secure, httpOnly: name != settings.userName)
            }
        }
    }

    private func cookie(_ name: String, _ value: String, domain: String) -> SetCookie {
        SetCookie(name: name, value: value, domain: domain, maxAge: Int(settings.lifetime), secure: settings.secure)
    }

    private func claimsChunkName(_ index: Int) -> String {
        index == 0 ? settings.claimsName : "\(settings.claimsName).\(index + 1)"
    }

    private func spilledClaims(from cookies: some RequestCookies, sessionID: [UInt8]) -> GroupClaims? {
        var sealed = ""
        for index in 0..<Self.maximumClaimsChunks {
            guard let chunk = cookies.value(claimsChunkName(index)) else { break }
            sealed += chunk
        }
        guard let plaintext = claimsSealer.open(sealed), let claims = GroupClaims(decoding: plaintext),
            claims.sessionID == sessionID
        else { return nil }
        return claims
    }

    private static func chunks(of value: String) -> [String] {
        let bytes = Array(value.utf8)
        return stride(from: 0, to: bytes.count, by: maximumValueLength).map {
            String(decoding: bytes[$0..<min($0 + maximumValueLength, bytes.count)], as: UTF8.self)
        }
    }

    /// The cookie with the user's display name for UIs (Kommander reads it as `kommander_profile_name`), written
    /// as the Go fork wrote it: readable by scripts and sent over plain http too (neither HttpOnly nor Secure, no
    /// SameSite), the name as Go's net/http puts it into a cookie (`goCookieValue`).
    private func displayNameCookie(_ name: String, domain: String) -> SetCookie {
        var cookie = SetCookie(
            name: settings.userName, value: Self.goCookieValue(name), domain: domain, maxAge: Int(settings.lifetime),
            httpOnly: false, secure: false)
        cookie.sameSite = nil
        return cookie
    }

    /// A display name as Go's `http.SetCookie` writes a cookie value: bytes a cookie value may not hold (controls,
    /// non-ASCII, `"`, `;`, `\`) dropped, and the rest in double quotes when it holds a space or a comma. At most
    /// 256 bytes of the name are used, so one cookie never crowds out the others.
    static func goCookieValue(_ text: String) -> String {
        var out = ""
        var needsQuotes = false
        for byte in text.utf8.prefix(256)
        where (0x20..<0x7F).contains(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: ";")
            && byte != UInt8(ascii: "\\")
        {
            needsQuotes = needsQuotes || byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",")
            out.unicodeScalars.append(Unicode.Scalar(byte))
        }
        return needsQuotes ? "\"" + out + "\"" : out
    }
}
