import ForwardAuth

/// A deterministic "random" source, so that a fuzz input replays exactly: the same input always mints the same
/// states, nonces and sealed values. `seed` varies the stream where two values must differ.
package struct FixedRandom: RandomSource {
    package let seed: UInt8

    package init(seed: UInt8 = 7) { self.seed = seed }

    package func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &+ $0 &* 31) }
    }
}
