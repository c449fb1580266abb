#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes, for `NO_PROXY`'s address and CIDR entries and the loopback rule.
///
/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is kept as the IPv4 address it maps, so that it equals and
/// falls inside what the IPv4 spelling names, as Go's `net.IP` compares them.
package struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    package let bytes: [UInt8]

    /// Parses a dotted IPv4 address or an IPv6 address without brackets or zone; nil for anything else.
    package init?(parsing text: some StringProtocol) {
        let text = String(text)
        // inet_pton is the platform's strict parser: no names, no ports, no leading or trailing junk.
        guard !text.isEmpty, text.utf8.count <= 45, !text.contains("%") else { return nil }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
            self.bytes = bytes.starts(with: mappedPrefix) ? Array(bytes[12...]) : bytes
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    package var isIPv4: Bool { bytes.count == 4 }

    /// 127.0.0.0/8 and ::1: the addresses Go never sends through a proxy.
    package var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    package var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

/// A CIDR block (`10.0.0.0/8`, `fd00::/8`), as `NO_PROXY` may name one.
package struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    package let address: IPAddress
    package let prefixLength: Int

    /// Parses `address/length`; nil when the address is not one or the length is out of its family's range.
    package init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parsing: parts[0]),
            !parts[1].isEmpty, parts[1].utf8.count <= 3, parts[1].allSatisfy(\.isASCIIDigit),
            let length = Int(parts[1])
        else { return nil }
        // An IPv4-mapped IPv6 block counts its length over 128 bits; it names the IPv4 block 96 bits shorter.
        let mapped = address.isIPv4 && parts[0].contains(":")
        let effective = mapped ? length - 96 : length
        guard effective >= 0, effective <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.prefixLength = effective
    }

    /// Whether `candidate` lies in the block; an address of the other family never does.
    package func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (ours, theirs) in zip(address.bytes, candidate.bytes) where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if ours & mask != theirs & mask { return false }
            remaining -= bits
        }
        return true
    }

    package var description: String { "\(address)/\(prefixLength)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
