import ForwardAuthWire

/// A validated `host[:port]` as found in `X-Forwarded-Host` or `Host`.
///
/// The host is lower-cased; an IPv6 literal keeps its brackets. `host` (no port) is what cookie domains and
/// rules compare against; `description` (with the port) is what URLs we build carry.
package struct Authority: Sendable, Hashable, CustomStringConvertible {
    package let host: String
    package let port: Int?

    package var description: String {
        guard let port else { return host }
        return "\(host):\(port)"
    }

    package init?(host: String, port: Int? = nil) {
        guard let parsed = Authority(parsing: port.map { "\(host):\($0)" } ?? host) else { return nil }
        self = parsed
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`. Returns nil for anything else: empty hosts,
    /// characters outside a registered name or IP literal (CR, LF, `/`, `@`, `\`, spaces …), bad ports.
    package init?(parsing text: some StringProtocol) {
        // Runs for every request: scan the bytes in place, and keep the caller's string as the host when it is
        // one already (lower-case, no port), so a typical `X-Forwarded-Host` costs no allocation.
        let scanned =
            text.utf8.withContiguousStorageIfAvailable(Self.scan) ?? Array(text.utf8).withUnsafeBufferPointer(Self.scan)
        guard let scanned else { return nil }
        self.port = scanned.port
        if !scanned.hasUpperCase, scanned.hostEnd == text.utf8.count {
            self.host = String(text)
        } else {
            self.host = String(unsafeUninitializedCapacity: scanned.hostEnd) { buffer in
                var count = 0
                for byte in text.utf8.prefix(scanned.hostEnd) {
                    buffer[count] = ASCII.lowercased(byte)
                    count += 1
                }
                return count
            }
        }
    }

    /// Where the host ends, the port, and whether the host needs lower-casing; nil when the text is no authority.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (hostEnd: Int, port: Int?, hasUpperCase: Bool)? {
        guard !bytes.isEmpty, bytes.count <= 260 else { return nil }
        var hostEnd = bytes.count
        var portStart: Int?
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return nil }
            let inner = bytes[1..<close]
            guard inner.allSatisfy(Authority.isIPv6Byte) else { return nil }
            hostEnd = close + 1
            if hostEnd < bytes.count {
                guard bytes[hostEnd] == UInt8(ascii: ":") else { return nil }
                portStart = hostEnd + 1
            }
        } else {
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                hostEnd = colon
                portStart = colon + 1
            }
            guard hostEnd > 0, hostEnd <= 253, bytes[0..<hostEnd].allSatisfy(Authority.isRegNameByte) else {
                return nil
            }
            // A name made only of dots is not a host.
            guard bytes[0..<hostEnd].contains(where: { $0 != UInt8(ascii: ".") }) else { return nil }
        }
        var port: Int?
        if let portStart {
            let digits = bytes[portStart...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return nil
            }
            let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (1...65535).contains(value) else { return nil }
            port = value
        }
        let hasUpperCase = bytes[0..<hostEnd].contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        return (hostEnd, port, hasUpperCase)
    }

    /// Whether `host` equals `domain` or lies below it on a dot boundary (`a.example.com` is under
    /// `example.com`; `evilexample.com` is not). Both sides are expected lower-case and without port.
    package static func host(_ host: String, isUnder domain: String) -> Bool {
        guard !domain.isEmpty else { return false }
        if host == domain { return true }
        let h = host.utf8
        let d = domain.utf8
        guard h.count > d.count, h.reversed().starts(with: d.reversed()) else { return false }
        let boundary = h.index(h.endIndex, offsetBy: -(d.count + 1))
        return h[boundary] == UInt8(ascii: ".")
    }

    private static func isRegNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private static func isIPv6Byte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ":"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }
}
