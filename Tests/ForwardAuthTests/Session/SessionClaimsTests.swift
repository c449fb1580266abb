import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// Claims, the forwarded ID token and very large group lists in the session cookies.
@Suite("Session cookies: claims, token, large groups")
struct SessionClaimsTests {
    let random = CountingRandom()
    let sessions = SessionCookies(settings: Fixtures.cookieSettings(), keys: CookieKeys(secret: Fixtures.secret))

    func roundTrip(_ session: Session) -> (Session?, [SetCookie]) {
        let issued = sessions.issue(session, host: "app.example.com", existing: CookieList([]), random: random)
        guard case .valid(let opened) = sessions.session(from: Fixtures.jar(issued), now: Fixtures.now) else {
            return (nil, issued)
        }
        return (opened, issued)
    }

    @Test func claimsAndTokenRoundTrip() {
        var session = Fixtures.session()
        session.claims = [
            NamedClaim(name: "preferred_username", values: ["alice"]), NamedClaim(name: "roles", values: ["a", "b"]),
        ]
        session.idToken = "eyJhbGciOiJSUzI1NiJ9.payload.signature"
        #expect(roundTrip(session).0 == session)
    }

    @Test func aLargeTokenSpillsWithTheGroupsAndComesBack() {
        var session = Fixtures.session(groups: (0..<50).map { "group-\($0)" })
        session.idToken = String(repeating: "t", count: 3000)
        let (opened, issued) = roundTrip(session)
        #expect(opened?.groupsInClaimsCookie == true)
        #expect(opened?.groups == session.groups)
        #expect(opened?.idToken == session.idToken)
        #expect(issued.contains { $0.name == "_forward_auth_claims" })
        #expect(issued.allSatisfy { $0.value.utf8.count <= SessionCookies.maximumValueLength })
    }

    /// More than the claims cookies hold: the token goes first, then groups from the end; it never breaks the
    /// session (which would loop the browser through logins).
    @Test func whatCannotFitIsTrimmedNotBroken() {
        var session = Fixtures.session(groups: (0..<1500).map { "group-number-\($0)-of-a-very-large-directory" })
        session.idToken = String(repeating: "t", count: 4000)
        let (fitted, trimmed) = sessions.fitting(session)
        #expect(fitted.idToken == nil)
        #expect(fitted.groups.count < session.groups.count)
        #expect(fitted.groups == Array(session.groups.prefix(fitted.groups.count)))
        #expect(trimmed?.contains("the ID token") == true)
        let (opened, _) = roundTrip(session)
        #expect(opened?.groups == fitted.groups)
    }

    @Test func aSessionThatFitsIsNotTrimmed() {
        let session = Fixtures.session()
        #expect(sessions.fitting(session).trimmed == nil)
    }

    /// Claims cookies sealed before the token could spill (format 1) still open.
    @Test func formatOneClaimsStillDecode() {
        var writer = PayloadWriter()
        writer.write(UInt8(1))
        writer.write([UInt8](repeating: 7, count: 16))
        writer.write(UInt16(2))
        writer.write("a")
        writer.write("b")
        #expect(
            GroupClaims(decoding: writer.bytes)
                == GroupClaims(sessionID: [UInt8](repeating: 7, count: 16), groups: ["a", "b"]))
    }
}
