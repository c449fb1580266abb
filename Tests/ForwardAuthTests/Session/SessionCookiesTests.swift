import Crypto
import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

@Suite("Session cookie sealing")
struct SessionCookiesTests {
    static let now: Int64 = 1_800_000_000
    let random = CountingRandom()

    func cookies(
        secret: String = "0123456789abcdef0123456789abcdef", name: String = "_forward_auth",
        domains: [String] = ["example.com"], previous: [String] = []
    ) -> SessionCookies {
        var settings = CookieSettings()
        settings.sessionName = name
        settings.domains = domains
        return SessionCookies(
            settings: settings,
            keys: CookieKeys(secret: Array(secret.utf8), previousSecrets: previous.map { Array($0.utf8) }))
    }

    func session(groups: [String] = ["devs", "ops"], expiresIn: Int64 = 3600) -> Session {
        Session(
            email: "alice@example.com", name: "Alice Q", groups: groups, issuedAt: Self.now,
            expiresAt: Self.now + expiresIn, id: Array(repeating: 7, count: 16))
    }

    /// What a browser would send back after receiving `setCookies`.
    func jar(_ setCookies: [SetCookie]) -> CookieList {
        CookieList(setCookies.filter { $0.maxAge > 0 }.map { (name: $0.name, value: $0.value) })
    }

    @Test func sealThenOpenRoundTrips() throws {
        let sessions = cookies()
        let issued = sessions.issue(session(), host: "app.example.com", existing: CookieList([]), random: random)
        let sessionCookie = try #require(issued.first { $0.name == "_forward_auth" })
        #expect(sessionCookie.value.hasPrefix("v1."))
        #expect(sessionCookie.domain == "example.com")
        #expect(sessionCookie.httpOnly && sessionCookie.secure && sessionCookie.maxAge == 43200)
        let nameCookie = try #require(issued.first { $0.name == "_forward_auth_name" })
        #expect(!nameCookie.httpOnly && !nameCookie.secure && nameCookie.sameSite == nil, "as the Go fork wrote it")
        #expect(nameCookie.value == "\"Alice Q\"")
        #expect(sessions.session(from: jar(issued), now: Self.now + 10) == .valid(session()))
    }

    /// Go's net/http drops the bytes a cookie value may not hold and quotes a value with a space or a comma; the
    /// Kommander UI reads the display cookie as Go wrote it.
    @Test(arguments: [
        ("alice", "alice"),
        ("Alice Q", "\"Alice Q\""),
        ("Doe, Jane", "\"Doe, Jane\""),
        ("José", "Jos"),
        ("a;b\"c\\d\r\nSet-Cookie:x=y", "abcdSet-Cookie:x=y"),
        ("a=b~%", "a=b~%"),
    ])
    func theDisplayNameIsWrittenAsGoWritesIt(_ name: String, _ expected: String) {
        #expect(SessionCookies.goCookieValue(name) == expected)
    }

    /// The same sealed bytes with the last character's unused bits set: decoders ignore them, so before issue 15
    /// this opened as a second spelling of the session. Nil when the value's last group carries no unused bits.
    static func variant(of value: String) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let remainder = (value.count - 3) % 4
        guard remainder != 0, let last = value.last, let sextet = alphabet.firstIndex(of: last) else { return nil }
        return String(value.dropLast()) + String(alphabet[sextet | 1])
    }

    @Test func aSealedValueHasOneSpelling() throws {
        let sessions = cookies()
        var found = 0
        for groups in [[], ["d"], ["de"], ["dev"], ["devs"], ["devs", "o"]] {
            let issued = sessions.issue(
                session(groups: groups), host: "app.example.com", existing: CookieList([]), random: random)
            let value = try #require(issued.first { $0.name == "_forward_auth" }).value
            #expect(
                sessions.session(from: CookieList([(name: "_forward_auth", value: value)]), now: Self.now) != .invalid)
            guard let variant = Self.variant(of: value) else { continue }
            found += 1
            // Refused before the cache, and by the sealer for every other cookie.
            #expect(
                sessions.session(from: CookieList([(name: "_forward_auth", value: variant)]), now: Self.now) == .invalid
            )
            #expect(Sealer.endsCanonically(value) && !Sealer.endsCanonically(variant))
        }
        #expect(found >= 2)
        // Padding, which decoders accept, is another spelling too (found by the attacker review).
        let issued = sessions.issue(session(), host: "app.example.com", existing: CookieList([]), random: random)
        let value = try #require(issued.first { $0.name == "_forward_auth" }).value
        for padded in [value + "=", value + "==", value + "==="] {
            #expect(
                sessions.session(from: CookieList([(name: "_forward_auth", value: padded)]), now: Self.now) == .invalid)
        }
        let sealer = Sealer(keys: [SymmetricKey(size: .bits256)], purpose: "test", cookieName: "c")
        for length in 1...3 {
            let sealed = sealer.seal(Array(repeating: 1, count: length), random: random)
            #expect(sealer.open(sealed) != nil)
            if let variant = Self.variant(of: sealed) { #expect(sealer.open(variant) == nil) }
        }
    }

    @Test func nonASCIINamesAndGroupsRoundTrip() throws {
        let sessions = cookies()
        var original = session(groups: ["développeurs", "ops", "グループ"])
        original.name = "Zoë Ångström"
        let issued = sessions.issue(original, host: "app.example.com", existing: CookieList([]), random: random)
        #expect(sessions.session(from: jar(issued), now: Self.now + 10) == .valid(original))
    }

    @Test func expiredSessionsAreRefusedWhateverTheBrowserSends() {
        let sessions = cookies()
        let issued = sessions.issue(
            session(expiresIn: 60), host: "app.example.com", existing: CookieList([]), random: random)
        #expect(sessions.session(from: jar(issued), now: Self.now + 60) == .expired)
    }

    @Test func missingCookieIsMissing() {
        #expect(cookies().session(from: CookieList([]), now: Self.now) == .missing)
    }

    @Test(arguments: ["", "v1.", "v2.AAAA", "v1.!!!!", "v1.AAAA", "garbage", String(repeating: "A", count: 9000)])
    func malformedValuesAreInvalid(value: String) {
        #expect(cookies().session(from: CookieList([("_forward_auth", value)]), now: Self.now) == .invalid)
    }

    @Test func tamperedAndTruncatedValuesAreInvalid() throws {
        let sessions = cookies()
        let value = try #require(
            sessions.issue(session(), host: "a.example.com", existing: CookieList([]), random: random).first?.value)
        var bytes = Array(value.utf8)
        let middle = bytes.count / 2
        bytes[middle] = bytes[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: bytes, as: UTF8.self)
        #expect(sessions.session(from: CookieList([("_forward_auth", tampered)]), now: Self.now) == .invalid)
        #expect(
            sessions.session(from: CookieList([("_forward_auth", String(value.dropLast(4)))]), now: Self.now)
                == .invalid)
    }

    @Test func anotherSecretCannotOpen() throws {
        let value = try #require(
            cookies().issue(session(), host: "a.example.com", existing: CookieList([]), random: random).first?.value)
        let other = cookies(secret: "another-secret-of-sufficient-length")
        #expect(other.session(from: CookieList([("_forward_auth", value)]), now: Self.now) == .invalid)
    }

    @Test func anotherInstanceCookieNameCannotOpen() throws {
        let value = try #require(
            cookies().issue(session(), host: "a.example.com", existing: CookieList([]), random: random).first?.value)
        let kommander = cookies(name: "_forward_auth_kommander")
        #expect(kommander.session(from: CookieList([("_forward_auth_kommander", value)]), now: Self.now) == .invalid)
    }

    @Test func previousSecretsStillOpenSoRotationLogsNobodyOut() throws {
        let old = cookies(secret: "the-old-secret-0123456789")
        let value = try #require(
            old.issue(session(), host: "a.example.com", existing: CookieList([]), random: random).first?.value)
        let rotated = cookies(secret: "the-new-secret-0123456789", previous: ["the-old-secret-0123456789"])
        #expect(rotated.session(from: CookieList([("_forward_auth", value)]), now: Self.now) == .valid(session()))
        // New cookies are sealed with the new secret only.
        let fresh = try #require(
            rotated.issue(session(), host: "a.example.com", existing: CookieList([]), random: random).first?.value)
        #expect(old.session(from: CookieList([("_forward_auth", fresh)]), now: Self.now) == .invalid)
    }

    @Test func hundredsOfGroupsOverflowIntoBoundClaimsCookies() throws {
        let groups = (0..<400).map { "team-with-a-rather-long-group-name-\($0)" }
        let sessions = cookies()
        let issued = sessions.issue(
            session(groups: groups), host: "a.example.com", existing: CookieList([]), random: random)
        #expect(issued.allSatisfy { $0.value.utf8.count <= SessionCookies.maximumValueLength })
        #expect(issued.contains { $0.name == "_forward_auth_claims" })
        guard case .valid(let opened) = sessions.session(from: jar(issued), now: Self.now) else {
            Issue.record("session did not open")
            return
        }
        #expect(opened.groups == groups)

        // Claims cookies of another session are not grafted onto this one.
        var other = session(groups: groups)
        other.id = Array(repeating: 9, count: 16)
        let otherIssued = sessions.issue(other, host: "a.example.com", existing: CookieList([]), random: random)
        var mixed = jar(issued).pairs.filter { !$0.name.hasPrefix("_forward_auth_claims") }
        mixed += jar(otherIssued).pairs.filter { $0.name.hasPrefix("_forward_auth_claims") }
        #expect(sessions.session(from: CookieList(mixed), now: Self.now) == .invalid)
    }

    /// Found by FuzzSessionCookie: groups beyond what every claims chunk holds trapped in `issue` (a callback
    /// for such a user took the process down). Issuing must not trap, and the session it sets must open: the
    /// groups are trimmed to what the chunks hold (`fitting`).
    @Test func groupsBeyondEveryClaimsChunkDoNotTrap() {
        let groups = (0..<3000).map { "team-with-a-rather-long-group-name-\($0)" }
        let existing = CookieList([(name: "_forward_auth_claims.8", value: "stale")])
        let sessions = cookies()
        let issued = sessions.issue(session(groups: groups), host: "a.example.com", existing: existing, random: random)
        let chunks = issued.filter { $0.name.hasPrefix("_forward_auth_claims") }
        #expect(chunks.count == SessionCookies.maximumClaimsChunks)
        #expect(chunks.allSatisfy { $0.maxAge > 0 })
        guard case .valid(let opened) = sessions.session(from: jar(issued), now: Self.now) else {
            Issue.record("the trimmed session does not open")
            return
        }
        #expect(!opened.groups.isEmpty && opened.groups == Array(groups.prefix(opened.groups.count)))
    }

    @Test func clearingCoversCookieDomainAndHost() {
        let cleared = cookies().clearing(host: "a.example.com")
        #expect(cleared.allSatisfy { $0.maxAge == 0 })
        #expect(Set(cleared.compactMap(\.domain)) == ["example.com", "a.example.com"])
        #expect(cleared.contains { $0.name == "_forward_auth" })
    }
}

@Suite("Login state cookies")
struct LoginStateCookiesTests {
    static let now: Int64 = 1_800_000_000
    let random = CountingRandom()
    let cookies = LoginStateCookies(
        settings: CookieSettings(), keys: CookieKeys(secret: Array("0123456789abcdef".utf8)))

    func state(_ id: String, expiresAt: Int64 = now + 600) -> LoginState {
        LoginState(
            state: id + "-state-0123456789", nonce: "n", codeVerifier: "v", redirectURI: "https://a.example.com/_oauth",
            returnURL: "https://a.example.com/x?y=1", expiresAt: expiresAt)
    }

    func issue(_ state: LoginState, existing: CookieList = CookieList([]), now: Int64 = now) -> [SetCookie] {
        cookies.issue(state, domain: nil, existing: existing, now: now, random: random)
    }

    @Test func eachLoginHasItsOwnCookieAndOpensOnlyWithItsState() throws {
        let a = state("aaaaaaaaaaaa"), b = state("bbbbbbbbbbbb")
        let jar = CookieList((issue(a) + issue(b)).map { (name: $0.name, value: $0.value) })
        #expect(cookies.open(state: a.state, from: jar, now: Self.now) == a)
        #expect(cookies.open(state: b.state, from: jar, now: Self.now) == b)
        #expect(cookies.open(state: "aaaaaaaaaaaa-state-wrong00000", from: jar, now: Self.now) == nil)
        #expect(issue(a)[0].name == "_forward_auth_csrf.aaaaaaaaaaaa")
    }

    @Test func theStartingTraceIsSealedAndAFormat1StateStillOpens() throws {
        var traced = state("cccccccccccc")
        traced.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        #expect(LoginState(decoding: traced.encoded()) == traced)
        // A login started before the upgrade: format 1, without the trace id.
        var writer = PayloadWriter(capacity: 256)
        let old = state("dddddddddddd")
        writer.write(UInt8(1))
        writer.write(old.expiresAt)
        for field in [old.state, old.nonce, old.codeVerifier, old.redirectURI, old.returnURL, ""] {
            writer.write(field)
        }
        #expect(LoginState(decoding: writer.bytes) == old)
        var trailing = writer
        trailing.write("4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(LoginState(decoding: trailing.bytes) == nil, "format 1 has no trace id")
    }

    @Test func expiredLoginStateDoesNotOpen() {
        let a = state("aaaaaaaaaaaa", expiresAt: Self.now + 5)
        let jar = CookieList(issue(a).map { (name: $0.name, value: $0.value) })
        #expect(cookies.open(state: a.state, from: jar, now: Self.now + 5) == nil)
    }

    @Test func abandonedLoginsDoNotPileUp() {
        var jar: [(name: String, value: String)] = [("_forward_auth_csrf_kommander.zzz", "theirs")]
        for i in 0..<10 {
            let id = String(repeating: Character(String(i)), count: 12)
            let issued = issue(state(id, expiresAt: Self.now + 600 + Int64(i)), existing: CookieList(jar))
            for cookie in issued {
                jar.removeAll { $0.name == cookie.name }
                if cookie.maxAge > 0 { jar.append((cookie.name, cookie.value)) }
            }
        }
        let ours = jar.filter { $0.name.hasPrefix("_forward_auth_csrf.") }
        #expect(ours.count == LoginStateCookies.maximumPending)
        // Another instance's cookie is never touched.
        #expect(jar.contains { $0.name == "_forward_auth_csrf_kommander.zzz" })
    }
}
