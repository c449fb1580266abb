import Synchronization

/// Sessions already opened, by their exact sealed cookie value, so that a browser's many requests with one
/// cookie pay AES-GCM and decoding once (about half of a valid-cookie check's work, docs/benchmarks.md).
///
/// What keeps this as strict as opening every time:
/// - Only values that opened are kept: a forged or foreign cookie is never stored, so junk cannot fill it.
/// - The same bytes always open to the same session under the same keys (which are fixed for the process's
///   life), and expiry is still checked by the caller on every request.
/// - Keys compare in constant time: the probe of a hash bucket compares a request's cookie with another user's
///   stored one, and that must not tell how many leading bytes they share. The hash is Swift's per-process
///   seeded SipHash, so nobody can aim values at one bucket.
/// - Bounded: past `capacity` entries an arbitrary one is dropped for each new one.
final class OpenedSessions: Sendable {
    private struct Key: Hashable, Sendable {
        let value: String

        static func == (lhs: Key, rhs: Key) -> Bool { ConstantTime.equals(lhs.value.utf8, rhs.value.utf8) }

        func hash(into hasher: inout Hasher) {
            var value = value
            value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    let capacity: Int
    private let sessions = Mutex<[Key: Session]>([:])

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func session(for value: String) -> Session? {
        sessions.withLock { $0[Key(value: value)] }
    }

    func remember(_ session: Session, for value: String) {
        sessions.withLock { sessions in
            if sessions.count >= capacity, let any = sessions.indices.first { sessions.remove(at: any) }
            sessions[Key(value: value)] = session
        }
    }

    var count: Int { sessions.withLock { $0.count } }
}
