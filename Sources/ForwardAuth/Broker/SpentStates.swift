import Synchronization

/// The broker callback's states this process has already answered.
///
/// A state is single-use because its cookie is cleared on first use; a replay that carries the old cookie (a
/// captured form and cookie, sent again) is refused here too, on this replica, until the state would have
/// expired anyway. Bounded: at most `capacity` states, the oldest forgotten first, so a flood cannot grow it.
package final class SpentStates: Sendable {
    private let spent = Mutex<[String: Int64]>([:])
    private let capacity: Int

    package init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Records `state` (valid until `expiresAt`); false when it was already spent.
    package func spend(_ state: String, expiresAt: Int64, now: Int64) -> Bool {
        spent.withLock { spent in
            if let until = spent[state], until > now { return false }
            if spent.count >= capacity {
                spent = spent.filter { $0.value > now }
                if spent.count >= capacity, let oldest = spent.min(by: { $0.value < $1.value }) {
                    spent.removeValue(forKey: oldest.key)
                }
            }
            spent[state] = expiresAt
            return true
        }
    }
}
