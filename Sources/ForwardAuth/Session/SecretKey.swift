import Synchronization

/// A dictionary key for a secret value (a sealed cookie, an ID token) that the process keeps a result for.
///
/// Equality runs in constant time: a hash bucket's probe compares a request's value with another user's stored
/// one, and that must not tell how many leading bytes they share. The hash is Swift's per-process seeded SipHash
/// over the bytes, so nobody can aim values at one bucket.
struct SecretKey: Hashable, Sendable {
    let value: String

    init(_ value: String) {
        self.value = value
    }

    static func == (lhs: SecretKey, rhs: SecretKey) -> Bool { ConstantTime.equals(lhs.value.utf8, rhs.value.utf8) }

    func hash(into hasher: inout Hasher) {
        var value = value
        value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Results kept per secret value (`OpenedSessions`, `VerifiedTokens`): looked up under a lock from any event
/// loop, keyed by `SecretKey`, bounded: past `capacity` entries an arbitrary one is dropped for each new one.
final class SecretCache<Value: Sendable>: Sendable {
    let capacity: Int
    private let entries = Mutex<[SecretKey: Value]>([:])

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func value(for secret: String) -> Value? {
        entries.withLock { $0[SecretKey(secret)] }
    }

    func remember(_ value: Value, for secret: String) {
        entries.withLock { entries in
            if entries.count >= capacity, let any = entries.indices.first { entries.remove(at: any) }
            entries[SecretKey(secret)] = value
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
