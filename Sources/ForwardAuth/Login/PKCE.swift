import Crypto
import ForwardAuthWire

/// Proof Key for Code Exchange (RFC 7636) with the S256 method.
package enum PKCE {
    /// A code verifier: base64url (no padding) of `byteCount` random bytes, so only unreserved characters
    /// (`A-Z a-z 0-9 - _`). `byteCount` is clamped to 32…96, which gives the allowed 43…128 characters.
    package static func makeVerifier(random: some RandomSource, byteCount: Int = 32) -> String {
        Base64URL.encode(random.bytes(min(max(byteCount, 32), 96)))
    }

    /// The S256 challenge: base64url(SHA-256(ASCII(verifier))) without padding.
    package static func challenge(for verifier: String) -> String {
        var verifier = verifier
        let digest = verifier.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return digest.withUnsafeBytes { Base64URL.encode($0) }
    }

}
