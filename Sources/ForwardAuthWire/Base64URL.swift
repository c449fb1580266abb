import ExtrasBase64

/// Unpadded base64url (RFC 4648 §5) with exactly one spelling per byte string: what sealed cookies and the parts of
/// a JWS are written in.
///
/// Decoders accept `=` padding and ignore the bits of the last character that carry no byte, so without these
/// checks one value had several spellings (several cache entries, a token that is "the same" as another).
package enum Base64URL {
    /// Whether text of `length` characters that ends in `last` ends as an encoder writes it: 2 or 3 characters in
    /// the last group, the unused bits of the last one zero, and no `=` (not in the alphabet). Looks at one byte.
    package static func endsCanonically(last: UInt8, length: Int) -> Bool {
        let sextet: UInt8
        switch last {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): sextet = last - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): sextet = last - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): sextet = last - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): sextet = 62
        case UInt8(ascii: "_"): sextet = 63
        default: return false
        }
        switch length % 4 {
        case 0: return true
        case 2: return sextet & 0x0F == 0
        case 3: return sextet & 0x03 == 0
        default: return false
        }
    }

    /// Whether `byte` is one of the 64 characters of the base64url alphabet.
    package static func isAlphabetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// Unpadded base64url of `bytes`: states, nonces, PKCE, sealed cookies.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, prefix: "")
    }

    /// `prefix` and then the unpadded base64url of `bytes`, written into one new string. Five of these are on the
    /// path of every login redirect: written here in one pass over the bytes, with no intermediate buffers.
    package static func encode(_ bytes: some Collection<UInt8>, prefix: StaticString) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0), prefix: prefix) }) {
            return text
        }
        return Array(bytes).withUnsafeBytes { encode($0, prefix: prefix) }
    }

    private static func encode(_ bytes: UnsafeRawBufferPointer, prefix: StaticString) -> String {
        let remainder = bytes.count % 3
        let length = prefix.utf8CodeUnitCount + bytes.count / 3 * 4 + (remainder == 0 ? 0 : remainder + 1)
        return String(unsafeUninitializedCapacity: length) { out in
            var written = 0
            prefix.withUTF8Buffer { prefix in
                for byte in prefix {
                    out[written] = byte
                    written += 1
                }
            }
            // Three bytes make four characters of six bits each. Pointers, not indices: this loop runs over every
            // sealed cookie.
            let alphabet = Self.alphabet.utf8Start
            let end = bytes.count - remainder
            guard var source = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return written }
            var target = out.baseAddress! + written
            for _ in stride(from: 0, to: end, by: 3) {
                let (first, second, third) = (source[0], source[1], source[2])
                target[0] = alphabet[Int(first >> 2)]
                target[1] = alphabet[Int((first & 0x03) << 4 | second >> 4)]
                target[2] = alphabet[Int((second & 0x0F) << 2 | third >> 6)]
                target[3] = alphabet[Int(third & 0x3F)]
                source += 3
                target += 4
            }
            written += end / 3 * 4
            // One or two bytes left: two or three characters, the unused low bits zero, no padding.
            if remainder > 0 {
                let first = source[0]
                let second = remainder == 2 ? source[1] : 0
                target[0] = alphabet[Int(first >> 2)]
                target[1] = alphabet[Int((first & 0x03) << 4 | second >> 4)]
                if remainder == 2 { target[2] = alphabet[Int((second & 0x0F) << 2)] }
                written += remainder + 1
            }
            return written
        }
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// The bytes of canonical unpadded base64url text; nil for any other spelling.
    package static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard let last = text.last else { return [] }
        guard endsCanonically(last: last, length: text.count) else { return nil }
        return try? Base64.decode(bytes: text, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
