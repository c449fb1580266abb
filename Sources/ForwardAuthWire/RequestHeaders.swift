/// Read access to the headers of the subrequest that the proxy sent us.
///
/// The domain module knows no web framework; the server module adapts its header type to this protocol.
/// Names are matched case-insensitively.
package protocol RequestHeaders: Sendable {
    /// Every value of the header, in the order received (repeated fields are not comma-joined).
    func values(_ name: String) -> [String]
    /// The first value of the header, if any.
    func first(_ name: String) -> String?
    /// The last value of the header, if any.
    func last(_ name: String) -> String?
    /// The header's value when every occurrence of it agrees; nil when it is absent.
    func agreedValue(_ name: String) throws(DisagreeingHeader) -> String?
}

/// A header sent several times with different values.
package struct DisagreeingHeader: Error {
    package init() {}
}

extension RequestHeaders {
    package func first(_ name: String) -> String? { values(name).first }
    package func last(_ name: String) -> String? { values(name).last }

    /// Every value is compared, not only the first and the last: `/a`, `/b`, `/a` must not pass as `/a`.
    package func agreedValue(_ name: String) throws(DisagreeingHeader) -> String? {
        let all = values(name)
        guard let first = all.first else { return nil }
        for value in all.dropFirst() where value != first { throw DisagreeingHeader() }
        return first
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality without allocating lower-cased copies.
    @inlinable
    public func caseInsensitiveEquals(_ other: some StringProtocol) -> Bool {
        let a = self.utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        // Header lookups call this for every field: compare the strings' contiguous bytes in a plain loop (a
        // `zip` of two UTF-8 views steps both through the generic index machinery, byte by byte).
        let contiguous = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in
                for i in 0..<x.count where !asciiCaseInsensitiveEqual(x[i], y[i]) { return false }
                return true
            }
        }
        if let contiguous, let result = contiguous { return result }
        return zip(a, b).allSatisfy(asciiCaseInsensitiveEqual)
    }
}

extension String {
    /// Whether `needle`'s bytes occur in this string's UTF-8: a byte search. `String.contains(_:)` with a
    /// string argument builds a `_StringProcessing` searcher on every call, which the check path cannot afford.
    @inlinable
    public func containsBytes(_ needle: StaticString) -> Bool {
        let haystack = utf8
        return needle.withUTF8Buffer { needle in
            guard let first = needle.first else { return true }
            var start = haystack.startIndex
            while let index = haystack[start...].firstIndex(of: first) {
                if haystack[index...].starts(with: needle) { return true }
                start = haystack.index(after: index)
            }
            return false
        }
    }
}

/// ASCII letters compare case-insensitively; every other byte exactly.
@inlinable
public func asciiCaseInsensitiveEqual(_ x: UInt8, _ y: UInt8) -> Bool {
    x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
}
