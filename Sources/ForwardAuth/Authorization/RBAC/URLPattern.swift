import ForwardAuthOIDC

/// A compiled `nonResourceURLs` entry or `authz-pass-through` pattern, built once per policy snapshot.
///
/// Entries (the Go fork's syntax): `*` matches everything; `~REGEX` is a Go (RE2) regular expression searched in
/// `scheme://authority/path` (anchored only where the regex anchors itself); an entry starting with `/` is a
/// pattern on the path; anything else a pattern on `scheme://authority/path`. A pattern is, by default, an exact
/// match, or a prefix match when it ends in `*` (all trailing `*` dropped); with v3 matching it is an anchored
/// glob where `*` matches within one segment (no `/`) and `**` matches anything (but a newline, as Go's `.`).
/// A v3 pattern also matches a text equal to itself, stars included, as in Go.
///
/// Matching never allocates except for a `~REGEX` entry (the joined URL, once per check) and is bounded:
/// globs run as a state set in time linear in the input, regexes through `BoundedRegex`.
struct URLPattern: Sendable {
    enum Target: Sendable { case path, url }

    enum Matcher: Sendable {
        case all
        case exact(String)
        case prefix(String)
        case glob(Glob)
        case regex(BoundedRegex)
    }

    /// Why an entry is refused; the entry is skipped and the problem reported.
    struct Failure: Error, Equatable {
        var message: String
    }

    let target: Target
    let matcher: Matcher

    /// Longest pattern accepted: globs cost input length × pattern length.
    static let maximumPatternLength = 1024
    /// Longer URLs or paths match no regex or glob (and so allow nothing through them).
    static let maximumInputLength = 8192

    /// Compiles a `nonResourceURLs` entry.
    static func nonResourceURL(_ entry: String, v3: Bool) throws(Failure) -> URLPattern {
        if entry == "*" { return URLPattern(target: .url, matcher: .all) }
        if entry.utf8.first == UInt8(ascii: "~") {
            return URLPattern(target: .url, matcher: try regex(String(entry.dropFirst())))
        }
        let target: Target = entry.utf8.first == UInt8(ascii: "/") ? .path : .url
        return URLPattern(target: target, matcher: try wildcard(entry, v3: v3))
    }

    /// Compiles an `authz-pass-through` pattern: always on the path, `*` and `~` have no special meaning beyond
    /// the wildcard syntax (the Go fork matches these on the path with the same wildcard rules).
    static func passThrough(_ pattern: String, v3: Bool) throws(Failure) -> URLPattern {
        URLPattern(target: .path, matcher: try wildcard(pattern, v3: v3))
    }

    private static func wildcard(_ pattern: String, v3: Bool) throws(Failure) -> Matcher {
        guard !pattern.allSatisfy(\.isWhitespace) else { throw Failure(message: "empty pattern") }
        guard pattern.utf8.count <= maximumPatternLength else {
            throw Failure(message: "pattern longer than \(maximumPatternLength) bytes")
        }
        guard pattern.utf8.contains(UInt8(ascii: "*")) else { return .exact(pattern) }
        guard v3 else {
            // Before v3 only trailing stars are special; a star elsewhere is a literal character.
            guard pattern.utf8.last == UInt8(ascii: "*") else { return .exact(pattern) }
            var prefix = Substring(pattern)
            while prefix.utf8.last == UInt8(ascii: "*") { prefix = prefix.dropLast() }
            return .prefix(String(prefix))
        }
        return .glob(Glob(pattern))
    }

    private static func regex(_ expression: String) throws(Failure) -> Matcher {
        guard !expression.allSatisfy(\.isWhitespace) else { throw Failure(message: "empty regular expression") }
        let translation: RE2Translator.Translation
        do throws(RE2Translator.Failure) {
            translation = try RE2Translator.translate(expression)
        } catch {
            throw Failure(message: "\(error.message) at offset \(error.offset)")
        }
        guard
            let compiled = BoundedRegex(
                icuPattern: translation.pattern, anchored: false, maximumInputLength: maximumInputLength)
        else { throw Failure(message: "regular expression not accepted by the engine") }
        return .regex(compiled)
    }

    /// Whether the pattern matches the target's path or URL.
    func matches(_ request: inout RBACRequestTarget) -> Bool {
        switch (matcher, target) {
        case (.all, _):
            return true
        case (.exact(let literal), .path):
            return request.path.utf8.elementsEqual(literal.utf8)
        case (.exact(let literal), .url):
            return request.urlByteCount == literal.utf8.count && request.urlBytes.elementsEqual(literal.utf8)
        case (.prefix(let literal), .path):
            return request.path.utf8.starts(with: literal.utf8)
        case (.prefix(let literal), .url):
            return request.urlBytes.starts(with: literal.utf8)
        case (.glob(let glob), .path):
            return glob.matches(request.path.utf8, count: request.path.utf8.count)
        case (.glob(let glob), .url):
            return glob.matches(request.urlBytes, count: request.urlByteCount)
        case (.regex(let regex), .path):
            return regex.matches(request.path)
        case (.regex(let regex), .url):
            return regex.matches(request.url())
        }
    }

    /// Whether the pattern matches a path alone (pass-through).
    func matches(path: String) -> Bool {
        var request = RBACRequestTarget(scheme: "", authority: "", path: path)
        return matches(&request)
    }
}
