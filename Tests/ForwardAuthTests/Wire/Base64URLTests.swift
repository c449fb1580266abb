import ExtrasBase64
import Foundation
import Testing

@testable import ForwardAuthWire

/// `Base64URL.encode` writes what the RFC 4648 §5 encoders write, unpadded, and reads back.
@Suite("Base64URL: encoding")
struct Base64URLTests {
    /// Every length from 0 to 100 (every remainder, many times), random bytes and all 256 byte values: the same
    /// text as ExtrasBase64's encoder (which the code used before), and canonical for the decoder.
    @Test func matchesAReferenceEncoderForEveryLength() throws {
        var generator = SystemRandomNumberGenerator()
        let everyByte = (0...255).map { UInt8($0) }
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for input in [bytes, Array(everyByte.prefix(length)), Array(everyByte.suffix(length))] {
                let text = Base64URL.encode(input)
                #expect(
                    text == Base64.encodeToString(bytes: input, options: [.base64UrlAlphabet, .omitPaddingCharacter]))
                #expect(Base64URL.decode(ArraySlice(text.utf8)) == input)
            }
        }
    }

    @Test func writesThePrefixFirst() {
        #expect(Base64URL.encode([0xFB, 0xFF], prefix: "v1.") == "v1.-_8")
        #expect(Base64URL.encode([UInt8](), prefix: "v1.") == "v1.")
        #expect(Base64URL.encode([UInt8]()) == "")
        // RFC 4648 §10's vectors, unpadded.
        let vectors = [
            "": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE",
            "foobar": "Zm9vYmFy",
        ]
        for (input, output) in vectors { #expect(Base64URL.encode(Array(input.utf8)) == output) }
    }

    /// Collections without contiguous storage take the copying path and give the same text.
    @Test func encodesAnyCollection() {
        let bytes: [UInt8] = [1, 2, 3, 250, 251, 252, 253]
        #expect(Base64URL.encode(bytes.reversed().reversed()) == Base64URL.encode(bytes))
        #expect(Base64URL.encode(Data(bytes)) == Base64URL.encode(bytes))
        #expect(Base64URL.encode(bytes[1...]) == Base64URL.encode(Array(bytes[1...])))
    }
}
