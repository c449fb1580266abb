import NIOCore
import Synchronization

/// The connections of one event loop and the time last published to them; touched only on that loop.
final class LoopConnections: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// The time of the last sweep: what connections on this loop read instead of the clock.
    private(set) var now: NIODeadline
    private var handlers: [CheckFastPathHandler] = []
    /// `count` as of the last sweep: what the sweeper's task reads (`ConnectionSweeper.openConnections`).
    let sweptCount = Atomic<Int>(0)

    var count: Int { handlers.count }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        now = .now()
    }

    /// - Returns: where the handler is kept, for `remove`.
    func add(_ handler: CheckFastPathHandler) -> Int {
        eventLoop.assertInEventLoop()
        handlers.append(handler)
        return handlers.count - 1
    }

    /// Removes the handler at `index`; the last handler moves into its place and is told so.
    func remove(at index: Int) {
        eventLoop.assertInEventLoop()
        let last = handlers.removeLast()
        guard index < handlers.count else { return }
        handlers[index] = last
        last.sweepIndex = index
    }

    /// Publishes `time`, then judges every connection as of one `tick` before it: a connection recorded its last
    /// bytes at a published time, up to a tick before they arrived, so judging at `time - tick` never closes early.
    func sweep(at time: NIODeadline, tick: TimeAmount) {
        now = time
        sweptCount.store(handlers.count, ordering: .relaxed)
        // A handler that closes leaves `handlers` at once; the loop goes on over the array as it was.
        for handler in handlers { handler.sweep(at: time - tick) }
    }
}
