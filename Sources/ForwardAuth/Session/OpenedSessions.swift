import Synchronization

/// Sessions already opened, by their exact sealed cookie value, so that a browser's many requests with one
/// cookie pay AES-GCM and decoding once (about half of a valid-cookie check's work, docs/benchmarks.md).
///
/// What keeps this as strict as opening every time:
/// - Only values that opened are kept: a forged or foreign cookie is never stored, so junk cannot fill it.
/// - The same bytes always open to the same session under the same keys (which are fixed for the process's
///   life), and expiry is still checked by the caller on every request.
/// - Keys compare in constant time (`SecretKey`).
/// - Bounded: past `capacity` entries an arbitrary one is dropped for each new one.
final class OpenedSessions: Sendable {
    let capacity: Int
    private let sessions = Mutex<[SecretKey: Session]>([:])

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func session(for value: String) -> Session? {
        sessions.withLock { $0[SecretKey(value)] }
    }

    func remember(_ session: Session, for value: String) {
        sessions.withLock { sessions in
            if sessions.count >= capacity, let any = sessions.indices.first { sessions.remove(at: any) }
            sessions[SecretKey(value)] = session
        }
    }

    var count: Int { sessions.withLock { $0.count } }
}
