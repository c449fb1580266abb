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
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let hi = iterator.next().flatMap(hexValue), let lo = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                out.append(hi << 4 | lo)
            default:
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
