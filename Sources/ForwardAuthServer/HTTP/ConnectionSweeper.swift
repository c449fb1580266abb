import ForwardAuthOIDC
import NIOCore
import ServiceLifecycle
import Synchronization

/// Enforces `idle-timeout` and `read-header-timeout` for every connection from one clock tick per event loop.
///
/// Why not a timer per connection: while any task is scheduled on a NIO event loop, every turn of that loop reads
/// the clock and looks at its timer heap, which cost the valid-cookie check about 500 instructions (0.9 %) per
/// request (callgrind, one keep-alive connection). Here no task is ever scheduled on a loop: a service task ticks
/// every `tick` and hands each loop one `execute` that publishes the time and sweeps that loop's connections. A
/// connection reads the published time (`LoopConnections.now`) instead of the clock, so the check path does no
/// system call and keeps no timer.
///
/// Precision is one tick (a tenth of the shorter timeout, at most a second): a connection is closed between its
/// deadline and one tick after it, never before.
///
/// Each tick also counts the open connections for `HeapTrim`, which gives glibc's free heap back once many of them
/// have closed.
final class ConnectionSweeper: Service, Sendable {
    let idleTimeout: TimeAmount
    let readHeaderTimeout: TimeAmount
    let tick: TimeAmount
    /// Each event loop's connections, made when the loop's first connection arrives.
    private let loops = Mutex<[ObjectIdentifier: LoopConnections]>([:])

    init(idleTimeout: TimeAmount, readHeaderTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.readHeaderTimeout = readHeaderTimeout
        let tenth = TimeAmount.nanoseconds(min(idleTimeout, readHeaderTimeout).nanoseconds / 10)
        tick = min(max(tenth, .milliseconds(50)), .seconds(1))
    }

    /// The connections of `eventLoop`; call on that loop.
    func connections(on eventLoop: any EventLoop) -> LoopConnections {
        loops.withLock { loops in
            if let existing = loops[ObjectIdentifier(eventLoop)] { return existing }
            let made = LoopConnections(eventLoop: eventLoop)
            loops[ObjectIdentifier(eventLoop)] = made
            return made
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var heap = HeapTrim()
            while !Task.isCancelled {
                try await Task.sleep(for: .nanoseconds(self.tick.nanoseconds))
                self.sweepAll()
                if heap.observe(openConnections: self.openConnections) { HeapTrim.trimHeap() }
            }
        }
    }

    /// The open connections as each loop counted them at its last sweep.
    var openConnections: Int {
        loops.withLock { loops in loops.values.reduce(0) { $0 + $1.sweptCount.load(ordering: .relaxed) } }
    }

    /// One tick: each loop publishes the time and closes its connections past a deadline.
    func sweepAll() {
        for connections in loops.withLock({ Array($0.values) }) {
            connections.eventLoop.execute { [tick] in connections.sweep(at: .now(), tick: tick) }
        }
    }
}
