import ForwardAuthOIDC
import Synchronization

/// Lets a warning through at most once per interval, whichever thread asks: a misconfiguration that every
/// request runs into (an untrusted `X-Forwarded-Prefix`, a check on the wrong address) must be seen in the log
/// without writing a line per request. Lock-free: the check path asks on every such request.
final class OncePerInterval: Sendable {
    private let interval: Int64
    /// When a warning last went through, in the clock's seconds; far in the past at first.
    private let last = Atomic<Int64>(-(1 << 62))

    init(seconds: Int64 = 60) {
        interval = seconds
    }

    /// True for the first caller at or after `interval` seconds since the last one that got true.
    func isDue(now: Int64) -> Bool {
        var seen = last.load(ordering: .relaxed)
        while now - seen >= interval {
            let (exchanged, current) = last.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { return true }
            seen = current
        }
        return false
    }
}
