import NIOCore
import Testing

@testable import ForwardAuthServer

/// `ConnectionDeadlines` with made-up clocks: which deadline runs when, and what it decides.
@Suite struct ConnectionDeadlinesTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    static func at(_ seconds: Double) -> NIODeadline {
        start + .nanoseconds(Int64(seconds * 1e9))
    }

    static func connection() -> ConnectionDeadlines {
        ConnectionDeadlines(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10), connectedAt: start)
    }

    @Test func aNewConnectionMustSendItsFirstHeadInTime() {
        var deadlines = Self.connection()
        #expect(deadlines.verdict(at: Self.at(9), awaitingAnswer: false) == .checkAt(Self.at(10)))
        #expect(deadlines.verdict(at: Self.at(10), awaitingAnswer: false) == .close(.readHeader))
    }

    @Test func betweenRequestsOnlyTheIdleTimeoutRuns() {
        var deadlines = Self.connection()
        deadlines.batchRead(at: Self.at(1), endsInsideAHead: false)
        #expect(deadlines.verdict(at: Self.at(11), awaitingAnswer: false) == .checkAt(Self.at(181)))
        deadlines.batchRead(at: Self.at(100), endsInsideAHead: false)
        #expect(deadlines.verdict(at: Self.at(181), awaitingAnswer: false) == .checkAt(Self.at(280)))
        #expect(deadlines.verdict(at: Self.at(280), awaitingAnswer: false) == .close(.idle))
    }

    /// A head that trickles in counts from its first byte, however often bytes arrive.
    @Test func aHeadInPiecesCountsFromItsFirstByte() {
        var deadlines = Self.connection()
        deadlines.batchRead(at: Self.at(1), endsInsideAHead: false)
        deadlines.batchRead(at: Self.at(50), endsInsideAHead: true)
        for second in 51..<60 {
            deadlines.batchRead(at: Self.at(Double(second)), endsInsideAHead: true)
            #expect(deadlines.verdict(at: Self.at(Double(second)), awaitingAnswer: false) == .checkAt(Self.at(60)))
        }
        #expect(deadlines.verdict(at: Self.at(60), awaitingAnswer: false) == .close(.readHeader))
    }

    /// The callback may wait for the provider for longer than either timeout; the idle time counts from its answer.
    @Test func aRequestAwaitingItsAnswerIsNeverCut() {
        var deadlines = Self.connection()
        deadlines.batchRead(at: Self.at(1), endsInsideAHead: false)
        #expect(deadlines.verdict(at: Self.at(500), awaitingAnswer: true) == .checkAt(Self.at(680)))
        deadlines.answerEnded(at: Self.at(600))
        #expect(deadlines.verdict(at: Self.at(680), awaitingAnswer: false) == .checkAt(Self.at(780)))
    }

    /// Bytes read while an answer is awaited (a body, a pipelined head) are judged soon after it ends.
    @Test func bytesReadWhileAwaitingAnAnswerAreLookedAtSooner() {
        var deadlines = Self.connection()
        deadlines.batchRead(at: Self.at(1), endsInsideAHead: false)
        deadlines.batchRead(at: Self.at(2), endsInsideAHead: true)
        #expect(deadlines.verdict(at: Self.at(20), awaitingAnswer: true) == .checkAt(Self.at(30)))
        #expect(deadlines.verdict(at: Self.at(30), awaitingAnswer: false) == .close(.readHeader))
    }
}
