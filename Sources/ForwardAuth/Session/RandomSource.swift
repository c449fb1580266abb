import ForwardAuthOIDC
import Synchronization

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

/// The operating system's CSPRNG (getrandom(2) on Linux, through `getentropy`), drawn through `RandomPool`.
package struct SystemRandomSource: RandomSource {
    package init() {}

    package func bytes(_ count: Int) -> [UInt8] {
        RandomPool.shared.bytes(count)
    }
}

/// The operating system's random bytes, fetched 4 KiB at a time and each handed out once.
///
/// A login redirect needs four random values (state, nonce, PKCE verifier, the sealing nonce): four system calls
/// per redirect, kernel time on the path of every browser sent to log in. The pool asks the kernel once per ~37
/// logins instead. Every byte is the kernel's CSPRNG output, used once and overwritten with zeros as it is handed
/// out, so memory read later holds no value already given. A forked child (`pthread_atfork`) throws the parent's pool away before its first
/// draw, so parent and child never share a value. The pool is refilled, never stretched: there is no userspace
/// generator to seed, reseed or get wrong. What it holds (at most 4 KiB of values not yet given) is no more than a
/// reader of this process's memory could take anyway: the cookie keys live here too.
package final class RandomPool: Sendable {
    package static let shared = RandomPool()

    /// How many bytes one refill asks the kernel for (`getentropy` gives at most 256 per call).
    static let capacity = 4096
    private static let chunk = 256

    private struct State {
        var buffer: [UInt8]
        /// The first byte not handed out yet; `buffer.count` when the pool is empty.
        var next: Int
        /// `RandomPool.forks` when the buffer was filled.
        var generation: Int
    }

    private let state: Mutex<State>
    /// Forks seen by this process (`pthread_atfork`'s child handler counts them).
    private static let forks = Atomic<Int>(0)
    private static let registerForkHandler: Void = {
        _ = pthread_atfork(nil, nil) { RandomPool.noteFork() }
    }()

    /// A forked child's first act (`pthread_atfork`): every pool refills before its next draw.
    static func noteFork() { forks.add(1, ordering: .relaxed) }

    /// Bytes left before the next refill (for tests).
    var available: Int {
        state.withLock { $0.generation == Self.forks.load(ordering: .relaxed) ? $0.buffer.count - $0.next : 0 }
    }

    package init() {
        // The counter first: the child handler must not be the one to initialise it (a lazy global's lock may be
        // held by another thread at the fork).
        _ = Self.forks.load(ordering: .relaxed)
        _ = Self.registerForkHandler
        state = Mutex(State(buffer: [UInt8](repeating: 0, count: Self.capacity), next: Self.capacity, generation: 0))
    }

    package func bytes(_ count: Int) -> [UInt8] {
        // Larger requests (none today) skip the pool rather than drain it.
        guard count <= Self.capacity / 4 else { return Self.systemBytes(count) }
        var out = [UInt8](repeating: 0, count: count)
        let drawn = state.withLock { state in
            let forks = Self.forks.load(ordering: .relaxed)
            if state.generation != forks || state.buffer.count - state.next < count {
                guard Self.fill(&state.buffer) else {
                    // Part of the buffer may be new and part spent (zeros): hand none of it out.
                    state.next = state.buffer.count
                    return false
                }
                state.next = 0
                state.generation = forks
            }
            let start = state.next
            state.next += count
            out.withUnsafeMutableBytes { destination in
                state.buffer.withUnsafeMutableBytes { pool in
                    let source = UnsafeMutableRawBufferPointer(rebasing: pool[start..<start + count])
                    destination.copyMemory(from: UnsafeRawBufferPointer(source))
                    source.initializeMemory(as: UInt8.self, repeating: 0)
                }
            }
            return true
        }
        return drawn ? out : Self.systemBytes(count)
    }

    /// Fills `buffer` from the kernel; false when a call fails (then part of it may be new and part not).
    private static func fill(_ buffer: inout [UInt8]) -> Bool {
        buffer.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let length = min(chunk, buffer.count - offset)
                guard getentropy(buffer.baseAddress! + offset, length) == 0 else { return false }
                offset += length
            }
            return true
        }
    }

    /// `count` bytes straight from the kernel; should that ever fail, from the standard library's generator
    /// (the same kernel source, a call per 8 bytes), never from nowhere.
    private static func systemBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if !fill(&out) {
            var generator = SystemRandomNumberGenerator()
            for index in out.indices { out[index] = generator.next() }
        }
        return out
    }
}
