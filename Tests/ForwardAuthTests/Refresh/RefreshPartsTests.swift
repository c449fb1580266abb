import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// The pieces silent refresh is built from: the session's refresh state, the marker, and how a token endpoint's
/// answer is read (Dex's statuses).
@Suite("Silent refresh: parts")
struct RefreshPartsTests {
    @Test func aRefreshableSessionRoundTripsAndAnOrdinaryOneKeepsItsBytes() throws {
        var session = Session(
            email: "alice@example.com", name: "Alice", groups: ["devs"], issuedAt: 100, expiresAt: 200,
            id: Array(repeating: 7, count: 16))
        let ordinary = session.encoded()
        #expect(ordinary[0] == 1 && ordinary[8 + 8 + 1 + 1 + 16] & 8 == 0)
        session.refresh = Session.Refresh(token: "rt-1", due: 150, firstLogin: 90, subject: "sub-1")
        let decoded = try #require(Session(decoding: session.encoded()))
        #expect(decoded.refresh == session.refresh)
        #expect(Session(decoding: Array(session.encoded().dropLast())) == nil)
        #expect(Session(decoding: ordinary)?.refresh == nil)
    }

    @Test func theMarkerHoldsOnlyItsOwnSessionAndOnlyUntilItsTime() throws {
        let id: [UInt8] = Array(repeating: 1, count: 16)
        let stop = try #require(RefreshMarker(RefreshMarker(sessionID: id, retryAt: 0).value))
        #expect(stop.holds(sessionID: id, now: 1_000_000))
        #expect(!stop.holds(sessionID: Array(repeating: 2, count: 16), now: 0))
        let wait = try #require(RefreshMarker(RefreshMarker(sessionID: id, retryAt: 60).value))
        #expect(wait.holds(sessionID: id, now: 59) && !wait.holds(sessionID: id, now: 60))
        for bad in ["", ".", "AQ", "AQ.-1", "AQ.x", "!!.0", "AQ.99999999999999999999"] {
            #expect(RefreshMarker(bad) == nil)
        }
    }

    static func answer(_ status: Int, _ body: String = "") -> OutboundResponse {
        OutboundResponse(status: status, headers: [], body: Array(body.utf8))
    }

    @Test func dexsStatusesMeanWhatTheSessionNeeds() {
        #expect(TokenRefresh.outcome(Self.answer(400, #"{"error":"invalid_request"}"#)) == .refused)
        #expect(TokenRefresh.outcome(Self.answer(500, #"{"error":"invalid_request"}"#)) == .failed)
        for status in [401, 502, 503, 504] {
            if case .unavailable = TokenRefresh.outcome(Self.answer(status)) {} else { Issue.record("\(status)") }
        }
        #expect(
            TokenRefresh.outcome(Self.answer(200, #"{"id_token":"a.b.c","refresh_token":"rt-2","access_token":"at"}"#))
                == .refreshed(.init(idToken: "a.b.c", refreshToken: "rt-2", accessToken: "at")))
        if case .unavailable = TokenRefresh.outcome(Self.answer(200, "{}")) {} else { Issue.record("an empty 200") }
        if case .unavailable = TokenRefresh.outcome(Self.answer(200, "not json")) {} else { Issue.record("not JSON") }
        #expect(TokenRefresh.userinfoSubject(Self.answer(200, #"{"sub":"s-1"}"#)) == "s-1")
        #expect(TokenRefresh.userinfoSubject(Self.answer(200, #"{"sub":""}"#)) == nil)
        #expect(TokenRefresh.userinfoSubject(Self.answer(401, #"{"sub":"s-1"}"#)) == nil)
        // Printing tokens never shows them.
        #expect(!"\(TokenRefresh.Tokens(idToken: "secret-id", refreshToken: "secret-rt"))".contains("secret"))
    }
}
