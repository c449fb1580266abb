import NIOCore

/// When a connection has been silent or slow for too long: the state behind `idle-timeout` and
/// `read-header-timeout`, kept apart from the channel so that it is tested with made-up clocks.
///
/// - A request head must arrive whole within `readHeaderTimeout` of its first byte; a new connection's first
///   head, within `readHeaderTimeout` of connecting (as Go's `ReadHeaderTimeout`). Slow-header clients
///   (slowloris) are cut off here.
/// - A connection with nothing under way is closed `idleTimeout` after its last byte in or its last answer out.
///   The default is above the proxies' idle pools, so that a proxy closes its quiet connections before we do: a
///   server that closes first races the request the proxy may be sending at that moment.
/// - While a request waits for its answer (the callback waiting for the provider), neither runs.
///
/// The channel handler records each read batch at the time `ConnectionSweeper` last published, and the sweeper asks
/// for a `verdict` once per tick.
struct ConnectionDeadlines {
    let idleTimeout: TimeAmount
    let readHeaderTimeout: TimeAmount
    /// The last byte in, or the end of the last answer out.
    private var lastActivity: NIODeadline
    /// The first byte of a head that has not arrived whole; nil between requests.
    private var headStarted: NIODeadline?

    enum Reason: Equatable {
        case idle
        case readHeader
    }

    enum Verdict: Equatable {
        case close(Reason)
        /// Nothing has expired: the earliest a deadline can pass.
        case checkAt(NIODeadline)
    }

    init(idleTimeout: TimeAmount, readHeaderTimeout: TimeAmount, connectedAt now: NIODeadline) {
        self.idleTimeout = idleTimeout
        self.readHeaderTimeout = readHeaderTimeout
        lastActivity = now
        headStarted = now
    }

    /// A read batch at `now`, which ended inside a head (or a body that has not arrived either) or not.
    mutating func batchRead(at now: NIODeadline, endsInsideAHead: Bool) {
        lastActivity = now
        if !endsInsideAHead {
            headStarted = nil
        } else if headStarted == nil {
            headStarted = now
        }
    }

    /// An answer ended: the idle time counts from here.
    mutating func answerEnded(at now: NIODeadline) {
        lastActivity = now
    }

    /// - Parameter awaitingAnswer: a request has been read whose answer has not ended.
    func verdict(at now: NIODeadline, awaitingAnswer: Bool) -> Verdict {
        // Bytes read meanwhile may be the request's body or a pipelined head: judged once the answer has ended.
        if awaitingAnswer { return .checkAt(now + (headStarted == nil ? idleTimeout : readHeaderTimeout)) }
        if let headStarted {
            let deadline = headStarted + readHeaderTimeout
            return now >= deadline ? .close(.readHeader) : .checkAt(deadline)
        }
        let deadline = lastActivity + idleTimeout
        return now >= deadline ? .close(.idle) : .checkAt(deadline)
    }
}
