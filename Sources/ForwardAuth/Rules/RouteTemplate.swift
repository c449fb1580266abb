import ForwardAuthOIDC
import ForwardAuthWire

/// Compiles a gorilla/mux route template — text with `{name}` or `{name:regex}` variables — as Traefik v2's
/// `HostRegexp`, `Path` and `PathPrefix` (and the Go fork's `Host`, which it rewrites to `HostRegexp`) read it.
///
/// Outside braces the text is literal (`.` is a dot). `{name}` alone means `[^.]+` in a host, `[^/]+` in a path and
/// `.*` in a query value. The regex must not capture (mux refuses that too: write `(?:…)`). The whole template is
/// anchored at both ends, a prefix at the start only. A template without variables stays a literal: no regex runs.
enum RouteTemplate {
    enum Kind {
        case host, path, pathPrefix, queryValue
    }

    /// `offset` is a byte offset into the template text.
    struct Failure: Error, Equatable {
        var message: String
        var offset: Int
    }

    /// Regex matchers refuse (do not match) a host longer than a DNS name may be…
    static let maximumHostLength = 253
    /// …and a path, header value or query value longer than this many UTF-8 bytes (the longest URI a
    /// `ForwardedRequest` accepts, so a path is never refused for length in practice).
    static let maximumTextLength = 8192

    static func compile(_ text: String, as kind: Kind) throws(Failure) -> TextPattern {
        let bytes = Array(text.utf8)
        if kind == .host, let nonASCII = bytes.firstIndex(where: { $0 >= 0x80 }) {
            throw Failure(message: "host must be ASCII (write the punycode form)", offset: nonASCII)
        }
        if kind == .path || kind == .pathPrefix, bytes.first != UInt8(ascii: "/") {
            throw Failure(message: "path must start with '/'", offset: 0)
        }
        let variables = try braces(bytes)
        let ipv6 = bytes.first == UInt8(ascii: "[")
        if variables.isEmpty {
            if kind == .host { try checkNoPort(bytes[...], ipv6: ipv6) }
            return .literal(kind == .host ? text.asciiLowercased() : text)
        }
        var pattern = kind == .host ? "(?i)\\A" : "\\A"
        var literalStart = 0
        for variable in variables {
            let literal = bytes[literalStart..<variable.lowerBound]
            if kind == .host { try checkNoPort(literal, ipv6: ipv6) }
            pattern += quoted(literal)
            pattern += try variablePattern(bytes, variable, kind: kind)
            literalStart = variable.upperBound
        }
        let tail = bytes[literalStart...]
        if kind == .host { try checkNoPort(tail, ipv6: ipv6) }
        pattern += quoted(tail)
        if kind != .pathPrefix { pattern += "\\z" }
        let limit = kind == .host ? maximumHostLength : maximumTextLength
        // The literal text before the first and after the last variable: a byte comparison rejects most
        // requests before ICU runs (a prefix template demands nothing at its end).
        let requiredPrefix = String(decoding: bytes[..<variables[0].lowerBound], as: UTF8.self)
        let requiredSuffix = kind == .pathPrefix ? "" : String(decoding: tail, as: UTF8.self)
        guard
            let regex = BoundedRegex(
                icuPattern: pattern, anchored: true, maximumInputLength: limit, requiredPrefix: requiredPrefix,
                requiredSuffix: requiredSuffix, foldsCase: kind == .host)
        else {
            throw Failure(message: "regular expression not accepted by the engine", offset: variables[0].lowerBound)
        }
        return .regex(regex)
    }

    /// The `{…}` spans at brace level one, as mux finds them (a regex may hold `{2}` inside).
    static func braces(_ bytes: [UInt8]) throws(Failure) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var level = 0
        var open = 0
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "{") {
                if level == 0 { open = offset }
                level += 1
            } else if byte == UInt8(ascii: "}") {
                level -= 1
                if level == 0 {
                    spans.append(open..<(offset + 1))
                } else if level < 0 {
                    throw Failure(message: "unbalanced braces", offset: offset)
                }
            }
        }
        if level != 0 { throw Failure(message: "unbalanced braces", offset: open) }
        return spans
    }

    private static func variablePattern(_ bytes: [UInt8], _ span: Range<Int>, kind: Kind) throws(Failure) -> String {
        let inner = bytes[(span.lowerBound + 1)..<(span.upperBound - 1)]
        let colon = inner.firstIndex(of: UInt8(ascii: ":"))
        let name = inner[..<(colon ?? inner.endIndex)]
        let regex = colon.map { inner[($0 + 1)...] }
        guard !name.isEmpty, regex.map({ !$0.isEmpty }) ?? true else {
            throw Failure(message: "missing name or pattern in {…}", offset: span.lowerBound)
        }
        let source: String
        if let regex {
            source = String(decoding: regex, as: UTF8.self)
        } else {
            switch kind {
            case .host: source = "[^.]+"
            case .path, .pathPrefix: source = "[^/]+"
            case .queryValue: source = ".*"
            }
        }
        let regexStart = (colon ?? span.lowerBound) + 1
        let translation: RE2Translator.Translation
        do {
            translation = try RE2Translator.translate(source, caseInsensitive: kind == .host)
        } catch {
            throw Failure(message: error.message, offset: regexStart + error.offset)
        }
        if let capture = translation.firstCaptureOffset {
            throw Failure(message: "capturing group in a template (write (?:…))", offset: regexStart + capture)
        }
        return "(?:" + translation.pattern + ")"
    }

    /// The rule's host is compared without port, so a port in the rule could never match: say so instead.
    /// `literal` is a slice of the whole template, so its indices are offsets into it.
    private static func checkNoPort(_ literal: ArraySlice<UInt8>, ipv6: Bool) throws(Failure) {
        var searched = literal
        if ipv6 {
            // An IPv6 literal keeps its colons inside the brackets.
            guard let close = literal.lastIndex(of: UInt8(ascii: "]")) else { return }
            searched = literal[(close + 1)...]
        }
        if let colon = searched.firstIndex(of: UInt8(ascii: ":")) {
            throw Failure(message: "host must not include a port (rules judge the host without port)", offset: colon)
        }
    }

    /// Literal text as an ICU pattern: every ASCII non-alphanumeric character escaped.
    static func quoted(_ literal: ArraySlice<UInt8>) -> String {
        var translator = RE2Translator(bytes: Array(literal))
        while translator.index < translator.bytes.count {
            translator.emitLiteral(translator.decodeScalar())
        }
        return String(decoding: translator.output, as: UTF8.self)
    }
}
