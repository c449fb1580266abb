import Synchronization

/// A dictionary key for a secret value (a sealed cookie, an ID token) that the process keeps a result for.
///
/// Equality runs in constant time: a hash bucket's probe compares a request's value with another user's stored
/// one, and that must not tell how many leading bytes they share. The hash is Swift's per-process seeded SipHash
/// over the bytes, so nobody can aim values at one bucket.
public struct SecretKey: Hashable, Sendable {
    public let value: String

    @inlinable
    public init(_ value: String) {
        self.value = value
    }

    @inlinable
    public static func == (lhs: SecretKey, rhs: SecretKey) -> Bool {
        ConstantTime.equals(lhs.value.utf8, rhs.value.utf8)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        var value = value
        value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
