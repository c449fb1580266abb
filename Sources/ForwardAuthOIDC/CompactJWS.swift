import ForwardAuthWire
import Foundation
import JWTKit

/// A JWS in compact serialization (`header.payload.signature`), split and with its header read, its payload
/// still encoded.
///
/// Why not JWTKit's parser: `DefaultJWTParser.parse` decodes the payload to hand back the header, so a token
/// with a forged signature would have its payload parsed before anything checked it. Here the payload is decoded
/// only by `verifiedPayload(with:)`, after its signature held.
package struct CompactJWS {
    package let header: JWTHeader
    private let bytes: [UInt8]
    /// Where the first and second `.` are.
    private let firstDot: Int
    private let secondDot: Int

    /// Splits the token and decodes its header; nil when it is not three base64url parts with a JSON object first.
    package init?(_ token: String) {
        bytes = Array(token.utf8)
        guard let first = bytes.firstIndex(of: UInt8(ascii: ".")),
            let second = bytes[(first + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(second + 1)...].contains(UInt8(ascii: "."))
        else { return nil }
        firstDot = first
        secondDot = second
        guard let headerJSON = Self.decode(bytes[..<first]),
            let header = try? JSONDecoder().decode(JWTHeader.self, from: Data(headerJSON))
        else { return nil }
        self.header = header
    }

    package enum Failure: Error {
        /// The signature part is not base64url, or does not verify with the key.
        case signature
        /// The signature held, but the payload is not base64url of a JSON object.
        case payload
    }

    /// Checks the signature over `header.payload` with `verifier`, then (only then) decodes the payload.
    package func verifiedPayload(with verifier: some JWTAlgorithm) throws(Failure) -> IDTokenPayload {
        guard let signature = Self.decode(bytes[(secondDot + 1)...]),
            (try? verifier.verify(signature, signs: bytes[..<secondDot])) == true
        else { throw .signature }
        guard let json = Self.decode(bytes[(firstDot + 1)..<secondDot]),
            let payload = try? JSONDecoder().decode(IDTokenPayload.self, from: Data(json))
        else { throw .payload }
        return payload
    }

    /// Unpadded base64url, as RFC 7515 writes every part, in its one spelling.
    private static func decode(_ part: ArraySlice<UInt8>) -> [UInt8]? {
        Base64URL.decode(part)
    }
}
