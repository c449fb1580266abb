/// Where nonces, states, PKCE verifiers and session ids come from. Passed in, so tests are deterministic.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's CSPRNG: Swift's `SystemRandomNumberGenerator` reads getrandom(2) on Linux.
public struct SystemRandomSource: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: generator.next()) { out.append(contentsOf: $0) }
        }
        out.removeLast(out.count - count)
        return out
    }
}
