import ForwardAuthOIDC

/// Splits a watch stream into its newline-delimited JSON events, holding at most `limit` bytes of one event.
///
/// The API server writes one JSON object per line; a line longer than `limit` (a runaway or hostile stream)
/// fails the watch rather than growing memory without bound.
struct WatchLineReader {
    let limit: Int
    private var pending: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    /// Appends received bytes and returns the complete lines they finish (without the newline; empty lines
    /// skipped).
    mutating func append(_ bytes: some Collection<UInt8>, resource: String) throws(KubernetesError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: bytes[start..<newline])
            try checkLength(resource)
            if !pending.isEmpty { lines.append(pending) }
            pending.removeAll(keepingCapacity: true)
            start = bytes.index(after: newline)
        }
        pending.append(contentsOf: bytes[start...])
        try checkLength(resource)
        return lines
    }

    /// What is left when the stream ends: a last event without its newline.
    mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } ? nil : pending
    }

    private func checkLength(_ resource: String) throws(KubernetesError) {
        if pending.count > limit { throw .lineTooLong(resource, limit: limit) }
    }
}
