import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to the server under test, written to piece by piece, for what happens between bytes:
/// silent, slow and idle connections.
enum RawConnection {
    /// What the server did while `script` ran and after it.
    struct Outcome {
        /// Everything the server sent.
        let received: [UInt8]
        /// When the server closed the connection, from the connection's start; nil when it was still open at
        /// the end of `waitingAtMost`.
        let closedAfter: Duration?

        var responses: [RawHTTP.Response] { RawHTTP.parse(received) }
    }

    /// Connects, runs `script` (which writes with the function it is given, and may sleep between writes),
    /// and reads until the server closes or `waitingAtMost` has passed since connecting.
    static func run(
        port: Int, waitingAtMost limit: Duration,
        _ script: @escaping @Sendable (_ write: @escaping @Sendable (String) async throws -> Void) async throws -> Void
    ) async throws -> Outcome {
        let clock = ContinuousClock()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let started = clock.now
        let received = Received()
        do {
            try await channel.executeThenClose { inbound, outbound in
                let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                    group.addTask {
                        do {
                            for try await chunk in inbound { received.bytes.withLock { $0 += chunk.readableBytesView } }
                        } catch {
                            // A reset counts as closed, as EOF does.
                        }
                        return Outcome(received: received.bytes.withLock { $0 }, closedAfter: clock.now - started)
                    }
                    group.addTask {
                        // A write after the server closed fails; the reader reports the close.
                        try? await script { text in try await outbound.write(ByteBuffer(string: text)) }
                        try await Task.sleep(until: started + limit, clock: clock)
                        return Outcome(received: received.bytes.withLock { $0 }, closedAfter: nil)
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
                received.outcome.withLock { $0 = outcome }
            }
        } catch ChannelError.alreadyClosed, ChannelError.ioOnClosedChannel {
            // The server closed first, so closing our end fails: that close is what the tests look for.
        }
        return try received.outcome.withLock { $0 } ?? { throw HarnessError("no outcome") }()
    }

    /// What the reader has received so far, and the outcome, for whichever task ends first.
    private final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let outcome = Mutex<Outcome?>(nil)
    }
}
