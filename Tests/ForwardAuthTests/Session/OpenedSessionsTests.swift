import Testing

@testable import ForwardAuth
@testable import ForwardAuthWire

/// The cache of opened sessions must judge exactly as opening every time would.
@Suite struct OpenedSessionsTests {
    let sealing = SessionCookiesTests()

    @Test func aSessionSeenBeforeStillExpires() {
        let sessions = sealing.cookies()
        let jar = sealing.jar(
            sessions.issue(
                sealing.session(expiresIn: 60), host: "app.example.com", existing: CookieList([]),
                random: sealing.random))
        #expect(sessions.session(from: jar, now: SessionCookiesTests.now) == .valid(sealing.session(expiresIn: 60)))
        // The second lookup is answered from the cache, and the clock still counts.
        #expect(sessions.session(from: jar, now: SessionCookiesTests.now + 59) != .expired)
        #expect(sessions.session(from: jar, now: SessionCookiesTests.now + 60) == .expired)
    }

    @Test func onlyValuesThatOpenAreKept() {
        let sessions = sealing.cookies()
        for forged in ["v1.AAAA", "garbage", "v1." + String(repeating: "A", count: 100)] {
            #expect(sessions.session(from: CookieList([(name: "_forward_auth", value: forged)]), now: 0) == .invalid)
        }
        #expect(sessions.opened.count == 0)
        // And a kept value is no key for another instance: each `SessionCookies` keeps its own.
        let jar = sealing.jar(
            sessions.issue(sealing.session(), host: "app.example.com", existing: CookieList([]), random: sealing.random)
        )
        #expect(sessions.session(from: jar, now: SessionCookiesTests.now) == .valid(sealing.session()))
        #expect(sessions.opened.count == 1)
        #expect(sealing.cookies(secret: "another-secret-0123456789abcdefgh").session(from: jar, now: 0) == .invalid)
    }

    @Test func aValueOneByteOffIsAnotherValue() {
        let cache = OpenedSessions()
        cache.remember(sealing.session(), for: "v1.abcdef")
        #expect(cache.value(for: "v1.abcdef") == sealing.session())
        #expect(cache.value(for: "v1.abcdeg") == nil)
        #expect(cache.value(for: "v1.abcde") == nil)
        #expect(cache.value(for: "v1.abcdef ") == nil)
    }

    @Test func itStaysWithinItsCapacity() {
        let cache = OpenedSessions(capacity: 8)
        for index in 0..<100 { cache.remember(sealing.session(), for: "v1.\(index)") }
        #expect(cache.count == 8)
        #expect(cache.value(for: "v1.99") == sealing.session())
    }

    @Test func constantTimeEqualityComparesEveryByte() {
        #expect(ConstantTime.equals("abc".utf8, "abc".utf8))
        #expect(!ConstantTime.equals("abc".utf8, "abd".utf8))
        #expect(!ConstantTime.equals("abc".utf8, "ab".utf8))
        #expect(ConstantTime.equals("abc"[...], "abc"))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }
}
