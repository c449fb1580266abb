import Crypto

/// The symmetric keys every sealed cookie uses, derived from the operator's secrets.
///
/// HKDF-SHA256 turns `secret` (and `encryption-key`, when given) of any length ≥ 16 bytes into a 256-bit key;
/// each purpose gets its own key through the `info` label. `previous-secrets` yield further keys that still
/// open cookies, so rotating the secret logs nobody out.
package struct CookieKeys: Sendable {
    /// First: the sealing key; then the keys of previous secrets.
    package let keys: [SymmetricKey]

    package init(secret: [UInt8], encryptionKey: [UInt8]? = nil, previousSecrets: [[UInt8]] = []) {
        keys =
            [Self.rootKey(secret: secret, encryptionKey: encryptionKey)]
            + previousSecrets.map { Self.rootKey(secret: $0, encryptionKey: encryptionKey) }
    }

    /// The keys for one purpose, in the same order.
    package func keys(for purpose: String) -> [SymmetricKey] {
        keys.map { root in
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: root, salt: Array("forward-auth".utf8), info: Array(purpose.utf8), outputByteCount: 32
            )
        }
    }

    private static func rootKey(secret: [UInt8], encryptionKey: [UInt8]?) -> SymmetricKey {
        var material = secret
        if let encryptionKey {
            // Length-prefix the first part so ("ab","c") and ("a","bc") give different keys.
            material = withUnsafeBytes(of: UInt32(secret.count).bigEndian, Array.init) + secret + encryptionKey
        }
        return SymmetricKey(data: material)
    }
}
