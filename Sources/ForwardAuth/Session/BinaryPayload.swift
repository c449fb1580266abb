/// The compact binary layout of sealed cookie payloads.
///
/// Sealed payloads are opened on every request, so they are not JSON: a few length-prefixed fields read
/// straight from the decrypted bytes. Integrity comes from AES-GCM; this reader still treats every length as
/// hostile (a key may leak, a payload version may change), so a short or inconsistent buffer is nil, never a trap.
struct PayloadWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ raw: [UInt8]) {
        write(UInt16(clamping: raw.count))
        bytes.append(contentsOf: raw.prefix(Int(UInt16.max)))
    }

    /// As `write(_: [UInt8])` with the text's UTF-8, copied straight from the string (sessions and login states
    /// are written on every login).
    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            write(UInt16(clamping: utf8.count))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8.prefix(Int(UInt16.max))))
        }
    }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}

struct PayloadReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readByte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() -> UInt16? {
        guard let hi = readByte(), let lo = readByte() else { return nil }
        return UInt16(hi) << 8 | UInt16(lo)
    }

    mutating func readInt64() -> Int64? {
        guard bytes.count - offset >= 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + 8] { value = value << 8 | UInt64(byte) }
        offset += 8
        return Int64(bitPattern: value)
    }

    mutating func readBytes() -> [UInt8]? {
        guard let count = readUInt16().map(Int.init), bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readString() -> String? {
        guard let count = readUInt16().map(Int.init), bytes.count - offset >= count else { return nil }
        defer { offset += count }
        let field = bytes[offset..<offset + count]
        // ASCII is valid UTF-8: decode it directly. The generic validating initializer costs ~1,000
        // instructions per field in runtime metadata lookups, and a session holds a field per group.
        if field.allSatisfy({ $0 < 0x80 }) { return String(decoding: field, as: UTF8.self) }
        return String(validating: field, as: UTF8.self)
    }
}
