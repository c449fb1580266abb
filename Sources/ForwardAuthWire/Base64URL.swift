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
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The bytes of canonical unpadded base64url text; nil for any other spelling.
    package static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard let last = text.last else { return [] }
        guard endsCanonically(last: last, length: text.count) else { return nil }
        return try? Base64.decode(bytes: text, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
