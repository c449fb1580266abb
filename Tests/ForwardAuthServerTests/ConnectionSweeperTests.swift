import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ForwardAuthServer

/// `ConnectionSweeper` and `LoopConnections` with embedded channels: connections join and leave the sweep, and a
/// sweep closes exactly those past a deadline, never one before it.
@Suite struct ConnectionSweeperTests {
    let endpoints = Endpoints.withLoadedProvider()
    let loop = EmbeddedEventLoop()
    let sweeper = ConnectionSweeper(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10))

    func connection() throws -> EmbeddedChannel {
        try .withLanes(endpoints, sweeper: sweeper, loop: loop)
    }

    @Test func closedConnectionsLeaveTheSweepAndTheRestAreJudged() throws {
        let channels = try (0..<4).map { _ in try connection() }
        let connections = sweeper.connections(on: loop)
        #expect(connections.count == 4)
        // The first and the third close: the last two move into their places.
        _ = try channels[0].finish()
        _ = try channels[2].finish()
        #expect(connections.count == 2)
        // One sends a whole request; the other stays silent past the header deadline.
        try channels[1].writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
        connections.sweep(at: .now() + .seconds(11), tick: .seconds(1))
        #expect(channels[1].isActive)
        #expect(!channels[3].isActive)
        #expect(connections.count == 1)
        _ = try channels[1].finish()
        #expect(connections.count == 0)
    }

    @Test func nothingIsClosedBeforeItsDeadline() throws {
        let channel = try connection()
        let connections = sweeper.connections(on: loop)
        // One tick after the head deadline is judged as the deadline itself: not yet closed.
        connections.sweep(at: .now() + .seconds(10), tick: .seconds(1))
        #expect(channel.isActive)
        connections.sweep(at: .now() + .seconds(12), tick: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func theTickIsATenthOfTheShorterTimeoutWithinBounds() {
        #expect(ConnectionSweeper(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10)).tick == .seconds(1))
        #expect(ConnectionSweeper(idleTimeout: .seconds(2), readHeaderTimeout: .seconds(1)).tick == .milliseconds(100))
    }
}
