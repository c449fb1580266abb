/// Key material or a credential from the configuration (`secret`, `client-secret`, `encryption-key`, …).
///
/// Guarantees: printing, interpolating, dumping or mirroring a `Secret` yields `<redacted>`, never the value;
/// the bytes come out only through `revealBytes()` / `revealString()`, so every use is deliberate and easy to
/// find. Equality is constant-time.
package struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: [UInt8]

    package init(_ value: String) {
        bytes = Array(value.utf8)
    }

    package init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Number of bytes: safe to log-check ("at least 16 bytes") without showing the value.
    package var byteCount: Int { bytes.count }

    package var isEmpty: Bool { bytes.isEmpty }

    /// The raw bytes, for key derivation.
    package func revealBytes() -> [UInt8] { bytes }

    /// The value as text, for protocol fields that need it (the client secret in a token request).
    package func revealString() -> String { String(decoding: bytes, as: UTF8.self) }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "Secret(<redacted>)" }
    // No children: `dump` and reflection-based printers see nothing but the description.
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    package static func == (lhs: Secret, rhs: Secret) -> Bool {
        ConstantTime.equals(lhs.bytes, rhs.bytes)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }
}
