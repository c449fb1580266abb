import Crypto
import ForwardAuth
import Synchronization

@testable import ForwardAuthOIDC

/// A deterministic random source for tests: SHA-256 of a seed and a counter.
final class CountingRandom: RandomSource {
    private let counter = Mutex<UInt64>(0)
    private let seed: UInt8

    init(seed: UInt8 = 1) { self.seed = seed }

    func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            let n = counter.withLock { value in
                value += 1
                return value
            }
            out += SHA256.hash(data: [seed] + withUnsafeBytes(of: n, Array.init))
        }
        return Array(out.prefix(count))
    }
}
