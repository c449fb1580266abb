/// `application/x-www-form-urlencoded` (the WHATWG URL standard's serializer), for token request bodies,
/// authorization URL queries and the `client_secret_basic` credentials.
///
/// Only ASCII letters, digits and `*-._` stay as they are; a space becomes `+`; every other byte of the UTF-8
/// encoding becomes `%XX` (upper-case hex).
package enum FormURLEncoding {
    package static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value` pairs joined with `&`, each side encoded, into one buffer (this is on the path of every
    /// login redirect).
    package static func encode(_ pairs: [(String, String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(pairs.reduce(pairs.count * 2) { $0 + $1.0.utf8.count + $1.1.utf8.count * 3 / 2 })
        for (index, (name, value)) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            append(name, to: &out)
            out.append(UInt8(ascii: "="))
            append(value, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text`, encoded, to `out`.
    package static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Tokens, ids and most values need no escaping: copy those whole.
            var index = 0
            while index < bytes.count, isUnreserved(bytes[index]) { index += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<index]))
            for byte in bytes[index...] {
                if isUnreserved(byte) {
                    out.append(byte)
                } else if byte == UInt8(ascii: " ") {
                    out.append(UInt8(ascii: "+"))
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
        }
    }

    @inline(__always)
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
