import NIOCore
import Testing

@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// `FastLane`, the fast lane's state, without a channel: events in, what to do out.
@Suite struct FastLaneTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func lane() -> FastLane {
        FastLane(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10), connectedAt: start)
    }

    static func head(_ text: String) throws -> RequestHead {
        guard case .complete(let head, _) = Array(text.utf8).withUnsafeBytes({ RequestHead.read($0) }) else {
            throw NotAHead(text: text)
        }
        return head
    }

    struct NotAHead: Error {
        let text: String
    }

    static let check = "GET / HTTP/1.1\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /\r\n\r\n"

    @Test func bytesAreReadUntilAHeadIsWhole() {
        var lane = lane()
        let first = ByteBuffer(string: "GET / HT")
        let result1 = lane.read(first)
        #expect(result1 == .parse(first))
        lane.incomplete(first, at: start)
        #expect(lane.searched == first.readableBytes)
        let result2 = lane.read(ByteBuffer(string: "TP/1.1\r\n\r\n"))
        #expect(result2 == .parse(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")))
        // What was pending is used once.
        let result3 = lane.read(ByteBuffer(string: "x"))
        #expect(result3 == .parse(ByteBuffer(string: "x")))
    }

    @Test(arguments: [
        (check, FastLane.Head.judge),
        ("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nContent-Length: 0\r\n\r\n", .judge),
        ("HEAD / HTTP/1.1\r\nX-Forwarded-Host: a\r\n\r\n", .handOn),
        ("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", .handOn),
        ("POST / HTTP/1.1\r\nX-Forwarded-Host: a\r\nContent-Length: 0\r\n\r\n", .handOver),
        ("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nContent-Length: 2\r\n\r\n", .handOver),
        ("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nTransfer-Encoding: chunked\r\n\r\n", .handOver),
        ("GET / HTTP/1.1\r\nX-Forwarded-Host: a\r\nUpgrade: websocket\r\n\r\n", .handOver),
    ])
    func wholeHeads(_ text: String, expected: FastLane.Head) throws {
        var lane = lane()
        let result4 = lane.complete(try Self.head(text))
        #expect(result4 == expected)
        #expect(lane.mode == (expected == .handOver ? .handingOver : .reading))
    }

    @Test func anAnswerOwedKeepsLaterRequestsInLine() throws {
        var lane = lane()
        let check = try Self.head(Self.check)
        lane.handedOn()
        lane.decoded(endsConnection: false)
        #expect(lane.answersOwed == 1)
        let result5 = lane.complete(check)
        #expect(result5 == .handOn)
        lane.decoded(endsConnection: false)
        lane.answerEnded(at: start)
        let result6 = lane.complete(check)
        #expect(result6 == .handOn)
        lane.answerEnded(at: start)
        #expect(lane.answersOwed == 0)
        let result7 = lane.complete(check)
        #expect(result7 == .judge)
        // An end Hummingbird writes without a request (an error answer) never goes below zero.
        lane.answerEnded(at: start)
        #expect(lane.answersOwed == 0)
    }

    @Test func handingOverIsForGoodAndAProtocolSwitchDropsTheRest() {
        var lane = lane()
        lane.unsupported()
        let bytes = ByteBuffer(string: "GET / HTTP/1.1\r\nUpgrade: x\r\n\r\nmore")
        let result8 = lane.read(bytes)
        #expect(result8 == .handOver)
        let before = lane.willHandOver(bytes)
        lane.decoded(endsConnection: true)
        lane.didHandOver(headsBefore: before, at: start)
        let result9 = lane.read(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(result9 == .drop)
    }

    @Test func anAnswerWithoutKeepAliveCloses() {
        var lane = lane()
        let result10 = lane.answered(keepAlive: true)
        #expect(result10)
        let result11 = lane.readComplete()
        #expect(result11 == (flush: true, propagate: false))
        let result12 = lane.readComplete()
        #expect(result12 == (flush: false, propagate: false))
        lane.handedOn()
        let result13 = lane.readComplete()
        #expect(result13 == (flush: false, propagate: true))
        let result14 = lane.answered(keepAlive: false)
        #expect(!result14)
        #expect(lane.mode == .closing)
        let result15 = lane.read(ByteBuffer(string: Self.check))
        #expect(result15 == .drop)
        let result16 = lane.sweep(at: start + .seconds(1_000))
        #expect(result16 == nil)
    }

    @Test func aSilentConnectionIsCutAtTheHeaderDeadlineOnce() {
        var lane = lane()
        let result17 = lane.sweep(at: start + .seconds(9))
        #expect(result17 == nil)
        let result18 = lane.sweep(at: start + .seconds(10))
        #expect(result18 == .readHeader)
        #expect(lane.mode == .closing)
        let result19 = lane.sweep(at: start + .seconds(11))
        #expect(result19 == nil)
    }

    @Test func betweenRequestsTheIdleDeadlineApplies() {
        var lane = lane()
        lane.batchEnded(at: start)
        let result20 = lane.sweep(at: start + .seconds(179))
        #expect(result20 == nil)
        let result21 = lane.sweep(at: start + .seconds(180))
        #expect(result21 == .idle)
    }

    @Test func noDeadlineRunsWhileAnAnswerIsOwed() {
        var lane = lane()
        // A head read and handed on; its answer is owed until Hummingbird ends it.
        lane.handedOn()
        lane.batchEnded(at: start)
        lane.decoded(endsConnection: false)
        let result22 = lane.sweep(at: start + .seconds(1_000))
        #expect(result22 == nil)
        lane.answerEnded(at: start + .seconds(1_000))
        let result23 = lane.sweep(at: start + .seconds(1_179))
        #expect(result23 == nil)
        let result24 = lane.sweep(at: start + .seconds(1_180))
        #expect(result24 == .idle)
    }

    /// An answer owed holds the deadlines off, but not one the client leaves unread for `idle-timeout`.
    @Test func anUnreadAnswerDoesNotHoldTheConnectionForever() {
        var lane = lane()
        lane.handedOn()
        lane.batchEnded(at: start)
        lane.decoded(endsConnection: false)
        lane.writabilityChanged(writable: false, at: start + .seconds(5))
        lane.writabilityChanged(writable: false, at: start + .seconds(50))
        let held = lane.sweep(at: start + .seconds(184))
        #expect(held == nil)
        let cut = lane.sweep(at: start + .seconds(185))
        #expect(cut == .idle)
    }

    @Test func aSocketThatDrainsAgainIsNotIdle() {
        var lane = lane()
        lane.decoded(endsConnection: false)
        lane.writabilityChanged(writable: false, at: start)
        lane.writabilityChanged(writable: true, at: start + .seconds(1))
        let result = lane.sweep(at: start + .seconds(1_000))
        #expect(result == nil)
    }

    /// Handed-over bytes count as between requests only when a head finished in them and they end `CRLF CRLF`.
    @Test(arguments: [
        ("GET / HTTP/1.1\r\nA: b\r\n\r\n", true, FastLaneTests.idle),
        ("GET / HTTP/1.1\r\nA: b\r\n\r\nGET / HT", true, FastLaneTests.readHeader),
        ("GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody", true, FastLaneTests.readHeader),
        ("GET / HTTP/1.1\r\nA:", false, FastLaneTests.readHeader),
    ])
    func handedOverBytesAndTheDeadlines(_ text: String, headFinished: Bool, cutAfter seconds: Int64) {
        var lane = lane()
        let bytes = ByteBuffer(string: text)
        let before = lane.willHandOver(bytes)
        if headFinished {
            lane.decoded(endsConnection: false)
            lane.answerEnded(at: start)
        }
        lane.didHandOver(headsBefore: before, at: start)
        let result25 = lane.sweep(at: start + .seconds(seconds - 1))
        #expect(result25 == nil)
        let result26 = lane.sweep(at: start + .seconds(seconds))
        #expect(result26 != nil)
    }

    static let idle: Int64 = 180
    static let readHeader: Int64 = 10
}
