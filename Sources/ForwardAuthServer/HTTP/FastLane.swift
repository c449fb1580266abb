import ForwardAuth
import ForwardAuthWire
import NIOCore

/// The fast lane's state for one connection, apart from the channel: each event `CheckFastPathHandler` and
/// `HandedOnRequests` see goes in, and what to do comes out. Tested without a channel (`FastLaneTests`), as
/// Hummingbird tests its connection state machine.
///
/// The rule that keeps the lane safe: bytes go on to NIO's decoder only at request boundaries, untouched, and once
/// anything is unusual they all go on for the rest of the connection (`handingOver`). While a request that went on
/// has no finished answer, later pipelined requests go on too, so answers stay in order.
struct FastLane {
    enum Mode: Equatable {
        /// Heads are read here; those not answered here go on one by one.
        case reading
        /// Every byte goes on to the decoder, for the rest of the connection.
        case handingOver
        /// The connection closes: nothing more is read.
        case closing
    }

    /// What to do with a read's bytes.
    enum Read: Equatable {
        case drop
        /// Hand them over (`willHandOver`, fire, `didHandOver`).
        case handOver
        /// Read heads from these bytes: what was pending, then what arrived.
        case parse(ByteBuffer)
    }

    /// What to do with a whole head read here.
    enum Head: Equatable {
        /// Judge it here (`Endpoints.begin`): answer it if the judgement is final, else hand on exactly its bytes.
        case judge
        /// Hand on exactly its bytes: it is not ours to answer, or an earlier answer is still owed.
        case handOn
        /// Hand over it and everything after it.
        case handOver
    }

    private(set) var mode = Mode.reading
    private var deadlines: ConnectionDeadlines
    /// Bytes of a head that has not fully arrived, and how far they are known to hold no end of head.
    private var pending: ByteBuffer?
    private(set) var searched = 0
    /// Answers written since the last flush: flushed once per read batch, so pipelined checks share a syscall.
    private var needsFlush = false
    /// Whether bytes went on in this read batch: only then do the handlers after the lane need to hear that the
    /// batch is complete (skipping it saves a walk down the pipeline for batches answered here).
    private var handedOnInBatch = false
    /// The last four bytes handed over, oldest first.
    private var streamTail: UInt32 = 0
    /// Heads NIO's decoder has read (`HandedOnRequests` reports them).
    private(set) var headsDecoded = 0
    /// Requests handed on whose answer has not ended.
    private(set) var answersOwed = 0
    /// Since when the socket has not taken what was written (a client that does not read); nil while it does.
    private var unwritableSince: NIODeadline?
    /// A request asked to switch protocols (`CONNECT`, `Upgrade`): NIO's decoder stops parsing after it and would
    /// keep every later byte; its answer closes the connection, and what arrives until then is dropped.
    private(set) var endsConnection = false

    init(idleTimeout: TimeAmount, readHeaderTimeout: TimeAmount, connectedAt now: NIODeadline) {
        deadlines = ConnectionDeadlines(
            idleTimeout: idleTimeout, readHeaderTimeout: readHeaderTimeout, connectedAt: now)
    }

    // MARK: Reading

    mutating func read(_ bytes: ByteBuffer) -> Read {
        switch mode {
        case .closing:
            return .drop
        case .handingOver:
            // After a protocol switch was asked for, nothing more is parsed: bytes would only pile up.
            return endsConnection ? .drop : .handOver
        case .reading:
            guard var pending else { return .parse(bytes) }
            self.pending = nil
            var bytes = bytes
            pending.writeBuffer(&bytes)
            return .parse(pending)
        }
    }

    /// The rest of a read batch ends inside a head: kept until more arrives.
    mutating func incomplete(_ rest: ByteBuffer, at now: NIODeadline) {
        searched = rest.readableBytes
        pending = rest
        deadlines.batchRead(at: now, endsInsideAHead: true)
    }

    /// A head outside `RequestHead`'s subset or limits.
    mutating func unsupported() {
        mode = .handingOver
    }

    /// A whole head read here.
    mutating func complete(_ head: RequestHead) -> Head {
        searched = 0
        // Only what every proxy's subrequest uses: a method NIO's decoder refuses (`FOO`, `get`) must get its 400
        // there, and what follows it must not overtake that answer.
        guard head.method == "GET" || head.method == "HEAD", !Self.hasBody(head) else {
            mode = .handingOver
            return .handOver
        }
        return answersOwed == 0 && Self.isAnswerable(head) ? .judge : .handOn
    }

    /// Exactly one head's bytes went on to the decoder.
    mutating func handedOn() {
        handedOnInBatch = true
    }

    /// An answer was written here; false when the connection closes after it.
    mutating func answered(keepAlive: Bool) -> Bool {
        guard keepAlive else {
            mode = .closing
            return false
        }
        needsFlush = true
        return true
    }

    /// The read batch was used up at a request boundary.
    mutating func batchEnded(at now: NIODeadline) {
        deadlines.batchRead(at: now, endsInsideAHead: false)
    }

    // MARK: Handing over

    /// Bytes about to be handed over; returns what `didHandOver` needs.
    mutating func willHandOver(_ bytes: ByteBuffer) -> Int {
        mode = .handingOver
        handedOnInBatch = true
        bytes.withUnsafeReadableBytes { bytes in
            for byte in bytes.suffix(4) { streamTail = streamTail << 8 | UInt32(byte) }
        }
        return headsDecoded
    }

    /// Handed-over bytes went through the decoder. NIO's decoder keeps what it has not parsed to itself, so whether
    /// the stream stopped between requests is read off it: a head finished in these bytes, and the stream's last four
    /// bytes are the `CRLF CRLF` that ends a bodiless head (or a chunked body). Anything else (a partial head, body
    /// bytes, a request followed by part of the next) starts the header deadline; a connection whose last request
    /// had a `Content-Length` body is therefore closed after `read-header-timeout` of silence, not `idle-timeout`.
    mutating func didHandOver(headsBefore: Int, at now: NIODeadline) {
        let betweenRequests = headsDecoded != headsBefore && streamTail == Self.endOfHead
        deadlines.batchRead(at: now, endsInsideAHead: !betweenRequests)
    }

    /// The read batch is complete: whether to flush answers written here, and whether the handlers after the lane
    /// need to hear of it.
    mutating func readComplete() -> (flush: Bool, propagate: Bool) {
        defer {
            needsFlush = false
            handedOnInBatch = false
        }
        return (needsFlush, handedOnInBatch || mode == .handingOver)
    }

    // MARK: After the decoder

    /// NIO's decoder read a head, which goes on to Hummingbird; `endsConnection`: it asks to switch protocols.
    mutating func decoded(endsConnection: Bool) {
        headsDecoded &+= 1
        answersOwed += 1
        if endsConnection { self.endsConnection = true }
    }

    /// Hummingbird ended an answer.
    mutating func answerEnded(at now: NIODeadline) {
        guard answersOwed > 0 else { return }
        answersOwed -= 1
        deadlines.answerEnded(at: now)
    }

    /// The socket stopped or started taking what is written.
    mutating func writabilityChanged(writable: Bool, at now: NIODeadline) {
        unwritableSince = writable ? nil : (unwritableSince ?? now)
    }

    // MARK: Deadlines

    /// A tick of the sweeper: the reason to close the connection now, if a deadline has passed by `time`.
    ///
    /// An answer owed holds the deadlines off (the callback may wait for the provider), but not an answer the client
    /// leaves unread: a socket that has taken nothing for `idle-timeout` is idle, whatever is owed.
    mutating func sweep(at time: NIODeadline) -> ConnectionDeadlines.Reason? {
        guard mode != .closing else { return nil }
        if let unwritableSince, time >= unwritableSince + deadlines.idleTimeout {
            mode = .closing
            return .idle
        }
        guard case .close(let reason) = deadlines.verdict(at: time, awaitingAnswer: answersOwed > 0) else {
            return nil
        }
        mode = .closing
        return reason
    }

    // MARK: Rules

    /// `CRLF CRLF` as the last four bytes of the stream, in `streamTail`.
    private static let endOfHead: UInt32 = 0x0D0A_0D0A

    /// A body (or a body of unknown length, or a protocol switch) means the decoder must see what follows.
    private static func hasBody(_ head: RequestHead) -> Bool {
        if head.contains("Transfer-Encoding") || head.contains("Upgrade") { return true }
        let lengths = head.values("Content-Length")
        return !lengths.isEmpty && lengths != ["0"]
    }

    /// Forwarded and not `HEAD` (whose answer carries no body, which Hummingbird's writer knows).
    private static func isAnswerable(_ head: RequestHead) -> Bool {
        head.method != "HEAD" && head.contains("X-Forwarded-Host")
    }
}
