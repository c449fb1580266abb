import Crypto
import ExtrasBase64
import ForwardAuthWire

/// Seals and opens cookie values with AES-256-GCM.
///
/// Format: `v1.` + base64url(nonce ‖ ciphertext ‖ tag). The additional authenticated data names the purpose
/// and the cookie name, so a login-state cookie never opens as a session, and a cookie of another instance on
/// the same host (another `cookie-name`) never opens here even when both share the secret.
/// Key rotation: the first key seals; every key opens.
package struct Sealer: Sendable {
    static let versionPrefix: [UInt8] = Array("v1.".utf8)
    static let nonceLength = 12
    static let tagLength = 16

    private let keys: [SymmetricKey]
    private let associatedData: [UInt8]
    /// Longer values are refused before any decoding: a bound on the work a hostile cookie can cause.
    private let maximumLength: Int

    /// - Parameters:
    ///   - keys: at least one key; the first seals.
    ///   - purpose: what the payload is (`session`, `login-state`, `claims`).
    ///   - cookieName: the cookie the value lives in.
    ///   - maximumLength: the longest sealed value `open` accepts.
    package init(keys: [SymmetricKey], purpose: String, cookieName: String, maximumLength: Int = 8192) {
        precondition(!keys.isEmpty, "a Sealer needs at least one key")
        self.keys = keys
        self.maximumLength = maximumLength
        self.associatedData = Array("forward-auth/\(purpose)/\(cookieName)".utf8)
    }

    package func seal(_ plaintext: [UInt8], random: some RandomSource) -> String {
        // AES.GCM.Nonce(data:) only throws for a wrong length, which this cannot be.
        let nonce = try! AES.GCM.Nonce(data: random.bytes(Self.nonceLength))
        // Sealing with a valid 256-bit key and nonce cannot fail.
        let box = try! AES.GCM.seal(plaintext, using: keys[0], nonce: nonce, authenticating: associatedData)
        // `combined` is nonce, ciphertext and tag in one buffer; it is nil only for nonces of another length.
        return Base64URL.encode(box.combined!, prefix: "v1.")
    }

    /// Whether the base64url text ends as `seal` writes it (`Base64URL.endsCanonically`), so that one sealed value
    /// has one spelling (and one entry in `OpenedSessions`). Looks at the last character only: no work on the check
    /// path.
    static func endsCanonically(_ value: some StringProtocol) -> Bool {
        // String's UTF-8 view counts and offsets in O(1) for native strings: no walk, no grapheme breaking.
        let count = value.utf8.count
        guard count > versionPrefix.count, let last = value.utf8.dropFirst(count - 1).first else { return false }
        return Base64URL.endsCanonically(last: last, length: count - versionPrefix.count)
    }

    /// The plaintext, or nil when the value is not ours: wrong version, not base64url, too short, tampered,
    /// sealed under another key, purpose or cookie name.
    package func open(_ value: some StringProtocol) -> [UInt8]? {
        let utf8 = value.utf8
        guard utf8.count > Self.versionPrefix.count, utf8.count <= maximumLength,
            utf8.starts(with: Self.versionPrefix), Self.endsCanonically(value)
        else { return nil }
        guard
            let combined = try? Base64.decode(
                bytes: utf8.dropFirst(Self.versionPrefix.count), options: [.base64UrlAlphabet, .omitPaddingCharacter]),
            combined.count >= Self.nonceLength + Self.tagLength,
            let box = try? AES.GCM.SealedBox(combined: combined)
        else { return nil }
        for key in keys {
            if let plaintext = try? AES.GCM.open(box, using: key, authenticating: associatedData) {
                return Array(plaintext)
            }
        }
        return nil
    }
}
