/// Equality for secrets (OAuth `state`, `nonce`, configured secrets) whose running time does not depend on
/// where the inputs first differ, so an attacker cannot learn a secret byte by byte from response times.
public enum ConstantTime {
    @inlinable
    public static func equals(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    @inlinable
    public static func equals(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        equals(a.utf8, b.utf8)
    }

    /// Without copying: contiguous views (native strings) are compared in place.
    @inlinable
    public static func equals(_ x: some Collection<UInt8>, _ y: some Collection<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        let inPlace = x.withContiguousStorageIfAvailable { x in
            y.withContiguousStorageIfAvailable { y in equals(x, y) }
        }
        if let inPlace, let result = inPlace { return result }
        return equals(Array(x), Array(y))
    }

    @usableFromInline
    static func equals(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
