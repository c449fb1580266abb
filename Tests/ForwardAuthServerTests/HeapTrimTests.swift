import NIOCore
import NIOEmbedded
import Testing

@testable import ForwardAuthServer

/// `HeapTrim`: the heap is trimmed once many connections have closed, never under a steady or growing count.
@Suite struct HeapTrimTests {
    @Test func trimsOnceWhenConnectionsFallByTheDropFromTheHighest() {
        var heap = HeapTrim(drop: 1_000)
        // From 10,000 down to 9,000 trims; counted again from 9,000, a fall of 500 does not; down to 0 does.
        let counts = [0, 10_000, 9_200, 9_000, 8_500, 0, 0]
        let trimmed = counts.map { heap.observe(openConnections: $0) }
        #expect(trimmed == [false, false, false, true, false, true, false])
    }

    @Test func aSteadyOrGrowingCountNeverTrims() {
        var heap = HeapTrim(drop: 1_000)
        let trimmed = [256, 256, 300, 250, 2_000, 1_500, 1_100].map { heap.observe(openConnections: $0) }
        #expect(!trimmed.contains(true))
    }

    @Test func trimmingTheHeapIsHarmless() {
        HeapTrim.trimHeap()
    }

    @Test func theSweeperCountsTheConnectionsOfItsLastSweep() throws {
        let sweeper = ConnectionSweeper(idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10))
        let loop = EmbeddedEventLoop()
        let channels = try (0..<3).map { _ in
            try EmbeddedChannel.withLanes(.withLoadedProvider(), sweeper: sweeper, loop: loop)
        }
        #expect(sweeper.openConnections == 0)
        sweeper.connections(on: loop).sweep(at: .now(), tick: .seconds(1))
        #expect(sweeper.openConnections == 3)
        _ = try channels[0].finish()
        sweeper.connections(on: loop).sweep(at: .now(), tick: .seconds(1))
        #expect(sweeper.openConnections == 2)
    }
}
