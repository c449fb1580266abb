import ForwardAuthOIDC

/// Padded base64url (RFC 4648 §5, with `=`), in the one spelling Go's `base64.URLEncoding` writes.
///
/// gorilla/securecookie writes its values in it twice (the whole cookie, and the encrypted value inside). Our own
/// `Base64URL` is unpadded; this reader is separate so that neither accepts the other's spelling. Only the canonical
/// form is accepted (length a multiple of 4, padding only at the end, unused bits zero): Go's encoder writes nothing
/// else, and one value then has one spelling.
enum PaddedBase64URL {
    /// The sextet of each base64url character; 0xFF for bytes outside the alphabet.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// The bytes `text` spells, or nil when it is not canonical padded base64url.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var quad: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var index = text.startIndex
        var remaining = text.count
        while remaining > 0 {
            for slot in 0..<4 {
                let character = text[index]
                index = text.index(after: index)
                let sextet: UInt8
                if character == UInt8(ascii: "=") {
                    // Padding only in the last group, only its last one or two characters, and nothing after it.
                    guard remaining == 4, slot >= 2 else { return nil }
                    sextet = 0xFE
                } else {
                    sextet = sextets[Int(character)]
                    guard sextet != 0xFF else { return nil }
                }
                switch slot {
                case 0: quad.0 = sextet
                case 1: quad.1 = sextet
                case 2: quad.2 = sextet
                default: quad.3 = sextet
                }
            }
            remaining -= 4
            output.append(quad.0 << 2 | quad.1 >> 4)
            if quad.2 == 0xFE {
                // "xx==": one byte; the second character's low four bits carry none.
                guard quad.3 == 0xFE, quad.1 & 0x0F == 0 else { return nil }
                break
            }
            output.append(quad.1 << 4 | quad.2 >> 2)
            if quad.3 == 0xFE {
                // "xxx=": two bytes; the third character's low two bits carry none.
                guard quad.2 & 0x03 == 0 else { return nil }
                break
            }
            output.append(quad.2 << 6 | quad.3)
        }
        return output
    }
}
