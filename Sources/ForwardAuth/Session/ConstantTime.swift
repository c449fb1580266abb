/// Equality for secrets (OAuth `state`, `nonce`, configured secrets) whose running time does not depend on
/// where the inputs first differ, so an attacker cannot learn a secret byte by byte from response times.
public enum ConstantTime {
    public static func equals(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    public static func equals(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
