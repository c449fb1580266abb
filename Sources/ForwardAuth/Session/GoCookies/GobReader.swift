/// Reads the few encoding/gob primitives that the Go fork's two cookie payloads use, from decrypted bytes.
///
/// gob (https://pkg.go.dev/encoding/gob): a stream of messages, each `uint length` then that many bytes; an unsigned
/// integer is one byte below 128, else a byte holding minus its length (1 to 8) then the big-endian bytes; a signed
/// integer is an unsigned one with the sign in its lowest bit; a string or byte slice is a length then the bytes.
/// Every length is checked against the bytes left before anything is read or allocated, so a hostile length costs
/// nothing. Only the minimal encodings Go's encoder writes are accepted: one value, one spelling.
struct GobReader {
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset == bytes.endIndex }

    private var remaining: Int { bytes.endIndex - offset }

    mutating func readByte() -> UInt8? {
        guard offset < bytes.endIndex else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt() -> UInt64? {
        guard let first = readByte() else { return nil }
        if first < 0x80 { return UInt64(first) }
        let count = 256 - Int(first)
        guard (1...8).contains(count), count <= remaining else { return nil }
        var value: UInt64 = 0
        for _ in 0..<count { value = value << 8 | UInt64(bytes[offset]); offset += 1 }
        // Minimal: below 128 is one byte, and no leading zero byte.
        guard value >= 0x80, value >> (8 * (count - 1)) != 0 else { return nil }
        return value
    }

    mutating func readInt() -> Int64? {
        guard let raw = readUInt() else { return nil }
        // Bit 0 is the sign; the rest is the value, complemented when negative.
        let magnitude = Int64(bitPattern: raw >> 1)
        return raw & 1 == 0 ? magnitude : ~magnitude
    }

    /// A length no larger than what is left: what may then be read or allocated.
    mutating func readLength() -> Int? {
        guard let length = readUInt(), length <= UInt64(remaining) else { return nil }
        return Int(length)
    }

    mutating func readBytes() -> ArraySlice<UInt8>? {
        guard let length = readLength() else { return nil }
        defer { offset += length }
        return bytes[offset..<(offset + length)]
    }

    /// A string; nil unless valid UTF-8 (Go strings may hold any bytes; none the fork writes here does).
    mutating func readString() -> String? {
        guard let raw = readBytes() else { return nil }
        return String(validating: raw, as: UTF8.self)
    }

    /// Reads `expected` and answers whether that is what came.
    mutating func expect(_ expected: [UInt8]) -> Bool {
        guard expected.count <= remaining, bytes[offset..<(offset + expected.count)].elementsEqual(expected) else {
            return false
        }
        offset += expected.count
        return true
    }

    /// The next message's bytes (without its length), as a reader of its own.
    mutating func readMessage() -> GobReader? {
        guard let body = readBytes(), !body.isEmpty else { return nil }
        return GobReader(body)
    }
}
