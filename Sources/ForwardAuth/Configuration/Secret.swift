/// Key material or a credential from the configuration (`secret`, `client-secret`, `encryption-key`, …).
///
/// Guarantees: printing, interpolating, dumping or mirroring a `Secret` yields `<redacted>`, never the value;
/// the bytes come out only through `revealBytes()` / `revealString()`, so every use is deliberate and easy to
/// find. Equality is constant-time.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: [UInt8]

    public init(_ value: String) {
        bytes = Array(value.utf8)
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Number of bytes: safe to log-check ("at least 16 bytes") without showing the value.
    public var byteCount: Int { bytes.count }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The raw bytes, for key derivation.
    public func revealBytes() -> [UInt8] { bytes }

    /// The value as text, for protocol fields that need it (the client secret in a token request).
    public func revealString() -> String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    // No children: `dump` and reflection-based printers see nothing but the description.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public static func == (lhs: Secret, rhs: Secret) -> Bool {
        ConstantTime.equals(lhs.bytes, rhs.bytes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }
}
