import ForwardAuthOIDC
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where nonces, states, PKCE verifiers and session ids come from. Passed in, so tests are deterministic.
package protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// The operating system's CSPRNG (getrandom(2) on Linux, through `getentropy`).
package struct SystemRandomSource: RandomSource {
    package init() {}

    /// One `getentropy` call per 256 bytes: the standard library's generator makes a system call per 8 bytes,
    /// which was 8% of a login redirect's time (four tokens, fourteen calls). Should the call ever fail, the
    /// bytes come from that generator instead, never from nowhere.
    package func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let filled = out.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(256, buffer.count - offset)
                guard getentropy(buffer.baseAddress! + offset, chunk) == 0 else { return false }
                offset += chunk
            }
            return true
        }
        if !filled {
            var generator = SystemRandomNumberGenerator()
            for index in out.indices { out[index] = generator.next() }
        }
        return out
    }
}
