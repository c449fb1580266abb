/// Turns the path a client sent into the one rules, pass-through lists and RBAC patterns judge.
///
/// Peers were bypassed by matching the raw path (`/%61dmin`, `/public/../admin`): we percent-decode exactly
/// once, then remove dot-segments (RFC 3986 §5.2.4) and empty segments (`//admin` is `/admin`, as nginx's
/// `merge_slashes` and most routers read it), so every matcher sees the path the upstream will serve.
/// A decoded NUL, CR or LF, or a broken `%` escape, makes the path invalid.
public enum PathNormalizer {
    public static func normalize(_ rawPath: some StringProtocol) -> String? {
        let raw = rawPath.utf8
        // Fast path: nothing to decode, no dot-segment or empty segment possible.
        if !raw.contains(UInt8(ascii: "%")) && !mayNeedMerging(raw) {
            guard raw.allSatisfy({ $0 > 0x1F && $0 != 0x7F }) else { return nil }
            return String(rawPath)
        }
        guard let decoded = percentDecode(raw) else { return nil }
        return removeDotSegments(decoded)
    }

    /// True when some segment starts with `.` or is empty (`//`): only then is there anything to remove.
    private static func mayNeedMerging(_ raw: some Collection<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for b in raw {
            if b == UInt8(ascii: "."), previous == UInt8(ascii: "/") || previous == 0 { return true }
            if b == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { return true }
            previous = b
        }
        return false
    }

    static func percentDecode(_ raw: some Collection<UInt8>) -> [UInt8]? {
        guard let decoded = PercentDecoding.decode(raw, plusIsSpace: false),
            decoded.allSatisfy({ $0 > 0x1F && $0 != 0x7F })
        else { return nil }
        return decoded
    }

    static func removeDotSegments(_ path: [UInt8]) -> String {
        var output: [ArraySlice<UInt8>] = []
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        // The first element is what precedes the leading "/" (empty for an absolute path); empty segments
        // (`//`) are dropped.
        for segment in segments where !segment.isEmpty {
            if segment.elementsEqual(".".utf8) {
                continue
            } else if segment.elementsEqual("..".utf8) {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        var result: [UInt8] = [UInt8(ascii: "/")]
        result.reserveCapacity(path.count + 1)
        for (index, segment) in output.enumerated() {
            if index > 0 { result.append(UInt8(ascii: "/")) }
            result.append(contentsOf: segment)
        }
        // Keep a trailing slash, also the one a final "." or ".." implies.
        if let last = segments.last, segments.count > 1,
            last.isEmpty || last.elementsEqual(".".utf8) || last.elementsEqual("..".utf8),
            result.last != UInt8(ascii: "/")
        {
            result.append(UInt8(ascii: "/"))
        }
        return String(decoding: result, as: UTF8.self)
    }
}
