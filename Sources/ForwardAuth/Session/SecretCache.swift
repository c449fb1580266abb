import Synchronization

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
