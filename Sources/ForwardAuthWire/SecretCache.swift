import Synchronization

/// Results kept per secret value (`OpenedSessions`, `VerifiedTokens`): looked up under a lock from any event
/// loop, keyed by `SecretKey`, bounded: past `capacity` entries an arbitrary one is dropped for each new one.
///
/// Public and inlinable, unlike the rest of the package: the session cache is read on every check from another
/// module, and Swift 6.3 specializes a generic across modules only for `public` inlinable code (`package` ones are
/// called unspecialized, looking up generic metadata on every call: +32 % for a cached session open).
public final class SecretCache<Value: Sendable>: Sendable {
    public let capacity: Int
    @usableFromInline let entries = Mutex<[SecretKey: Value]>([:])

    @inlinable
    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    @inlinable
    public func value(for secret: String) -> Value? {
        entries.withLock { $0[SecretKey(secret)] }
    }

    @inlinable
    public func remember(_ value: Value, for secret: String) {
        entries.withLock { entries in
            if entries.count >= capacity, let any = entries.indices.first { entries.remove(at: any) }
            entries[SecretKey(secret)] = value
        }
    }

    @inlinable
    public var count: Int { entries.withLock { $0.count } }
}
