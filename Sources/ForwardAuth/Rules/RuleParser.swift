import ForwardAuthOIDC

/// Parses a Traefik v2 matcher expression into a syntax tree, reporting the first syntax error with its offset.
///
/// The grammar is the subset of Go expressions that Traefik's parser (vulcand/predicate over `go/parser`) accepts:
/// ```
/// expression := and ( "||" and )*
/// and        := unary ( "&&" unary )*
/// unary      := "!" unary | "(" expression ")" | matcher
/// matcher    := NAME "(" [ string ( "," string )* [ "," ] ] ")"
/// string     := `raw` | "interpreted with \" \\ \n \t \r \xHH \uHHHH escapes"
/// ```
/// so `!` binds tighter than `&&`, which binds tighter than `||`. Matcher names are accepted as Traefik registers
/// them: `PathPrefix`, `pathprefix`, `PATHPREFIX` and `Pathprefix`.
struct RuleParser {
    struct Argument: Equatable {
        var value: String
        /// Byte offset of the opening quote.
        var offset: Int
        /// Whether `value`'s bytes are the source bytes after the quote, so an offset inside the value maps to the
        /// source (false when escapes or carriage returns were removed).
        var verbatim: Bool

        func sourceOffset(_ inner: Int) -> Int { verbatim ? offset + 1 + inner : offset }
    }

    struct Call: Equatable {
        var matcher: MatcherKind
        var offset: Int
        var arguments: [Argument]
    }

    indirect enum Node: Equatable {
        case call(Call)
        case not(Node)
        case all([Node])
        case any([Node])
    }

    /// Parentheses and `!` nest at most this deep: a rule is configuration, not a program.
    static let maximumDepth = 64

    static func parse(_ text: String) throws(RuleIssue) -> Node {
        var parser = RuleParser(bytes: Array(text.utf8))
        let node = try parser.parseOr()
        parser.skipSpace()
        if parser.index < parser.bytes.count { throw parser.issue(.expected("'&&', '||' or the end of the rule")) }
        return node
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }
    private func peek(_ ahead: Int) -> UInt8? { index + ahead < bytes.count ? bytes[index + ahead] : nil }
    private func issue(_ code: RuleError.Code, at offset: Int? = nil) -> RuleIssue {
        RuleIssue(code: code, offset: offset ?? index)
    }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func parseOr() throws(RuleIssue) -> Node {
        var terms = [try parseAnd()]
        while true {
            skipSpace()
            guard current == UInt8(ascii: "|") else { break }
            guard peek(1) == UInt8(ascii: "|") else { throw issue(.expected("'||'")) }
            index += 2
            terms.append(try parseAnd())
        }
        return terms.count == 1 ? terms[0] : .any(terms)
    }

    private mutating func parseAnd() throws(RuleIssue) -> Node {
        var terms = [try parseUnary()]
        while true {
            skipSpace()
            guard current == UInt8(ascii: "&") else { break }
            guard peek(1) == UInt8(ascii: "&") else { throw issue(.expected("'&&'")) }
            index += 2
            terms.append(try parseUnary())
        }
        return terms.count == 1 ? terms[0] : .all(terms)
    }

    private mutating func parseUnary() throws(RuleIssue) -> Node {
        skipSpace()
        switch current {
        case UInt8(ascii: "!"):
            try enter()
            index += 1
            defer { depth -= 1 }
            return .not(try parseUnary())
        case UInt8(ascii: "("):
            try enter()
            index += 1
            let node = try parseOr()
            skipSpace()
            guard current == UInt8(ascii: ")") else { throw issue(.expected("')'")) }
            index += 1
            depth -= 1
            return node
        case let byte? where Self.isIdentifierStart(byte):
            return .call(try parseCall())
        default:
            throw issue(.expected("a matcher, '!' or '('"))
        }
    }

    private mutating func enter() throws(RuleIssue) {
        depth += 1
        if depth > Self.maximumDepth { throw issue(.tooDeeplyNested) }
    }

    private mutating func parseCall() throws(RuleIssue) -> Call {
        let start = index
        while let byte = current, Self.isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) { index += 1 }
        let name = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let matcher = MatcherKind(name: name) else { throw issue(.unknownMatcher(name), at: start) }
        skipSpace()
        guard current == UInt8(ascii: "(") else { throw issue(.expected("'(' after \(name)")) }
        index += 1
        var arguments: [Argument] = []
        while true {
            skipSpace()
            if current == UInt8(ascii: ")") {
                index += 1
                break
            }
            arguments.append(try parseString())
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: ")"): continue
            default: throw issue(.expected("',' or ')'"))
            }
        }
        return Call(matcher: matcher, offset: start, arguments: arguments)
    }

    private mutating func parseString() throws(RuleIssue) -> Argument {
        let start = index
        switch current {
        case UInt8(ascii: "`"):
            guard let close = bytes[(start + 1)...].firstIndex(of: UInt8(ascii: "`")) else {
                throw issue(.unterminatedString, at: start)
            }
            index = close + 1
            // Go drops carriage returns from raw strings.
            let content = bytes[(start + 1)..<close]
            let value = content.filter { $0 != 0x0D }
            return Argument(
                value: String(decoding: value, as: UTF8.self), offset: start, verbatim: value.count == content.count)
        case UInt8(ascii: "\""):
            return try parseInterpretedString()
        default:
            throw issue(.expected("a quoted string"))
        }
    }

    private mutating func parseInterpretedString() throws(RuleIssue) -> Argument {
        let start = index
        index += 1
        var value: [UInt8] = []
        var verbatim = true
        while true {
            guard let byte = current, byte != 0x0A else { throw issue(.unterminatedString, at: start) }
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else {
                value.append(byte)
                continue
            }
            verbatim = false
            let escapeStart = index - 1
            guard let letter = current else { throw issue(.unterminatedString, at: start) }
            index += 1
            switch letter {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(letter)
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "x"), UInt8(ascii: "u"):
                let digits = letter == UInt8(ascii: "x") ? 2 : 4
                guard let scalar = hexScalar(digits: digits), letter == UInt8(ascii: "u") || scalar.isASCII else {
                    throw issue(.invalidEscape, at: escapeStart)
                }
                value.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw issue(.invalidEscape, at: escapeStart)
            }
        }
        return Argument(value: String(decoding: value, as: UTF8.self), offset: start, verbatim: verbatim)
    }

    private mutating func hexScalar(digits: Int) -> Unicode.Scalar? {
        guard index + digits <= bytes.count else { return nil }
        let text = String(decoding: bytes[index..<(index + digits)], as: UTF8.self)
        guard
            text.utf8.allSatisfy({ $0 < 0x80 && ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66 || $0 >= 0x30 && $0 <= 0x39) }),
            let value = UInt32(text, radix: 16)
        else { return nil }
        index += digits
        return Unicode.Scalar(value)
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A || byte == UInt8(ascii: "_")
    }
}
