import ForwardAuthOIDC

/// Percent-decoding of paths and of `application/x-www-form-urlencoded` queries: one implementation for the
/// path normalizer, the `Query` rule matcher and the callback query.
enum PercentDecoding {
    /// The decoded bytes, or nil for a broken `%` escape. `plusIsSpace` selects form decoding (`+` is a space).
    static func decode(_ encoded: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace:
                result.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                result.append(high << 4 | low)
            default:
                result.append(byte)
            }
        }
        return result
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
