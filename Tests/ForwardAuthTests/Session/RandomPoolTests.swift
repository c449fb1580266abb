import Testing

@testable import ForwardAuth

/// The pool hands out the kernel's bytes once each, across refills and forks.
@Suite("Random pool")
struct RandomPoolTests {
    /// 32-byte draws across many refills: all different (a repeat of 32 random bytes would be a broken pool).
    @Test func drawsNeverRepeatAcrossRefills() {
        let pool = RandomPool()
        var seen = Set<[UInt8]>()
        let draws = RandomPool.capacity / 32 * 5 + 7
        for _ in 0..<draws { seen.insert(pool.bytes(32)) }
        #expect(seen.count == draws)
    }

    @Test func givesTheLengthAskedFor() {
        let pool = RandomPool()
        for count in [0, 1, 12, 31, 32, 33, 96, 1024, 1025, 5000] {
            #expect(pool.bytes(count).count == count)
        }
        // Not all zero: the bytes are filled, not only counted (2^-256 odds of a false failure).
        #expect(pool.bytes(32) != [UInt8](repeating: 0, count: 32))
        #expect(pool.bytes(5000).contains { $0 != 0 })
    }

    /// A fork seen by the pool throws away what it held: the child draws fresh bytes, never the parent's next ones.
    @Test func aForkEmptiesThePool() {
        let pool = RandomPool()
        _ = pool.bytes(16)
        #expect(pool.available == RandomPool.capacity - 16)
        RandomPool.noteFork()
        _ = pool.bytes(16)
        #expect(pool.available == RandomPool.capacity - 16)
        _ = pool.bytes(16)
        #expect(pool.available == RandomPool.capacity - 32)
    }

    /// Concurrent draws (two event loops) never hand out the same bytes twice.
    @Test func concurrentDrawsAreDistinct() async {
        let pool = RandomPool()
        let drawn = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<4 {
                group.addTask { (0..<300).map { _ in pool.bytes(32) } }
            }
            return await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(Set(drawn).count == drawn.count)
    }
}
