import ForwardAuthOIDC

/// Turns the path a client sent into the one rules, pass-through lists and RBAC patterns judge, or refuses it.
///
/// Peers were bypassed by matching the raw path (`/%61dmin`) or by paths that upstreams read differently
/// (`/public/..;/admin` is `/admin` to Tomcat and Spring, `/public/../admin` to anything that resolves dot-segments).
/// So:
/// - escapes are decoded exactly once (`/%61dmin` is `/admin`; `%252e` is the text `%2e`), except `%2F`, which
///   stays encoded: it never splits a segment (Traefik v3 passes encoded slashes on, and apps such as Grafana need
///   them), so `/a%2Fb` is one segment, not `/a/b`;
/// - empty segments merge (`//admin` is `/admin`, as nginx's `merge_slashes` and most routers read it);
/// - a path that upstreams could resolve differently is refused (nil: a 400), never guessed: a segment that is `.`
///   or `..` once its `;params` are removed (also between `%2F`s: `..%2Fadmin`), or empty once they are
///   (`/;x/admin`), an empty piece beside a `%2F` (`/%2Fadmin`), a backslash, raw or encoded (`%5C`, which
///   some servers read as `/`), a decoded control character, a broken escape.
///
/// What this does not cover: an upstream that decodes `%2F` and then splits on it sees segments we judged as one
/// (`/public%2Fx` is not under `/public/`), and one that treats `;` as anything but a parameter of its segment.
package enum PathNormalizer {
    package static func normalize(_ rawPath: some StringProtocol) -> String? {
        let raw = rawPath.utf8
        // Fast path: nothing to decode, no segment that is empty or starts with `.`.
        if !raw.contains(UInt8(ascii: "%")) && !mayNeedWork(raw) {
            guard raw.allSatisfy({ $0 > 0x1F && $0 != 0x7F }) else { return nil }
            return String(rawPath)
        }
        guard let decoded = decode(raw) else { return nil }
        return joinedSegments(decoded)
    }

    /// True when some segment starts with `.` or `;` or is empty (`//`), or a backslash is there: only then is
    /// there anything to refuse or merge.
    private static func mayNeedWork(_ raw: some Collection<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for b in raw {
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ";"), previous == UInt8(ascii: "/") || previous == 0 {
                return true
            }
            if b == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { return true }
            if b == UInt8(ascii: "\\") { return true }
            previous = b
        }
        return false
    }

    /// Percent-decoded once, `%2F` kept as the text `%2F`; nil for a backslash (raw or `%5C`), a broken escape or a
    /// control character.
    static func decode(_ raw: some Collection<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(raw.count)
        var iterator = raw.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                guard byte != UInt8(ascii: "\\") else { return nil }
                result.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(PercentDecoding.hexValue),
                let low = iterator.next().flatMap(PercentDecoding.hexValue)
            else { return nil }
            switch high << 4 | low {
            case UInt8(ascii: "/"): result += encodedSlash
            case UInt8(ascii: "\\"): return nil
            case let decoded: result.append(decoded)
            }
        }
        return result.allSatisfy({ $0 > 0x1F && $0 != 0x7F }) ? result : nil
    }

    static let encodedSlash: [UInt8] = Array("%2F".utf8)

    /// `/` + the non-empty segments joined by `/` (a trailing `/` kept); nil when a segment is a dot-segment.
    static func joinedSegments(_ path: [UInt8]) -> String? {
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var result: [UInt8] = [UInt8(ascii: "/")]
        result.reserveCapacity(path.count + 1)
        var first = true
        // The first element is what precedes the leading "/" (empty for an absolute path); empty segments merge.
        for segment in segments where !segment.isEmpty {
            guard !isAmbiguous(segment) else { return nil }
            if !first { result.append(UInt8(ascii: "/")) }
            result.append(contentsOf: segment)
            first = false
        }
        if segments.count > 1, segments.last?.isEmpty == true, result.last != UInt8(ascii: "/") {
            result.append(UInt8(ascii: "/"))
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether an upstream could read the segment as something else than a name: `.` or `..` once `;params` are
    /// removed, in any piece between encoded slashes, or an empty piece (`%2Fadmin`, `admin%2F`, `a%2F%2Fb`), which
    /// an upstream that decodes `%2F` and merges slashes reads as `/admin`.
    static func isAmbiguous(_ segment: ArraySlice<UInt8>) -> Bool {
        var rest = segment[...]
        var split = false
        while true {
            let end = rest.firstRange(of: encodedSlash)
            let piece = end.map { rest[..<$0.lowerBound] } ?? rest
            let name = piece.prefix { $0 != UInt8(ascii: ";") }
            if name.elementsEqual(".".utf8) || name.elementsEqual("..".utf8) { return true }
            // `;x` is an empty segment to servers that strip parameters (`/;x/admin` is `//admin`, so `/admin`).
            if name.isEmpty, !piece.isEmpty { return true }
            if piece.isEmpty, split || end != nil { return true }
            guard let end else { return false }
            split = true
            rest = rest[end.upperBound...]
        }
    }
}
