/// The query of a callback or login-start request (`code`, `state`, `error`, `rd`), form-decoded.
///
/// Read by hand on purpose: Foundation's `URLComponents.percentEncodedQuery` setter traps on characters a
/// hostile client can send, and this path must never crash. A pair with a broken `%` escape is skipped.
struct CallbackQuery {
    private let pairs: [(name: String, value: String)]

    init(_ query: String) {
        guard query.utf8.count <= 8192 else {
            pairs = []
            return
        }
        pairs = query.utf8.split(separator: UInt8(ascii: "&")).compactMap { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            return value.map { (name, $0) }
        }
    }

    /// The first value of `name`; nil when absent.
    func value(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    private static func decode(_ bytes: some Collection<UInt8>) -> String? {
        PercentDecoding.decode(bytes, plusIsSpace: true).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
