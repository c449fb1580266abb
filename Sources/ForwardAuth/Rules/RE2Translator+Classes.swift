import ForwardAuthOIDC

/// Escapes and character classes: where RE2 and ICU differ most.
extension RE2Translator {
    /// One element of a class or one escape: a single character (may bound a range) or a whole set.
    enum Atom {
        case character(UInt32)
        case set(String)
    }

    // RE2's Perl classes are ASCII-only; ICU's are Unicode-wide, so spell them out.
    static let digits = "[0-9]"
    static let space = "[\\x{09}\\x{0A}\\x{0C}\\x{0D}\\x{20}]"
    static let word = "[0-9A-Za-z_]"

    static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x{00}-\\x{7F}", "blank": "\\x{09}\\x{20}",
        "cntrl": "\\x{00}-\\x{1F}\\x{7F}", "digit": "0-9", "graph": "\\x{21}-\\x{7E}", "lower": "a-z",
        "print": "\\x{20}-\\x{7E}", "punct": "\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}",
        "space": "\\x{09}-\\x{0D}\\x{20}", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    ]

    /// An escape outside a class.
    mutating func topLevelEscape() throws(Failure) {
        switch peek(1) {
        case UInt8(ascii: "A"), UInt8(ascii: "z"):
            emit(peek(1) == UInt8(ascii: "A") ? "\\A" : "\\z")
            index += 2
            repeatable = false
        case UInt8(ascii: "b"), UInt8(ascii: "B"):
            // RE2's word boundary looks at ASCII word characters only.
            let isWord = "(?<=\(Self.word))(?=\(Self.word))|(?<!\(Self.word))(?!\(Self.word))"
            let isBoundary = "(?<=\(Self.word))(?!\(Self.word))|(?<!\(Self.word))(?=\(Self.word))"
            emit("(?:\(peek(1) == UInt8(ascii: "b") ? isBoundary : isWord))")
            index += 2
            repeatable = false
        case UInt8(ascii: "Q"):
            index += 2
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "E") {
                    index += 2
                    break
                }
                emitLiteral(decodeScalar())
                repeatable = true
            }
        default:
            switch try escape(inClass: false) {
            case .character(let value): emitLiteral(value)
            case .set(let set): emit(set)
            }
            repeatable = true
        }
    }

    /// Parses the escape at `index` (a backslash) that stands for a character or a set, and moves past it.
    mutating func escape(inClass: Bool) throws(Failure) -> Atom {
        let start = index
        guard let letter = peek(1) else { throw Failure(message: "trailing backslash", offset: start) }
        index += 2
        switch letter {
        case UInt8(ascii: "d"): return .set(Self.digits)
        case UInt8(ascii: "D"): return .set("[^0-9]")
        case UInt8(ascii: "s"): return .set(Self.space)
        case UInt8(ascii: "S"): return .set("[^" + Self.space.dropFirst())
        case UInt8(ascii: "w"): return .set(Self.word)
        case UInt8(ascii: "W"): return .set("[^" + Self.word.dropFirst())
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            return try unicodeClass(negated: letter == UInt8(ascii: "P"), at: start)
        case UInt8(ascii: "a"): return .character(0x07)
        case UInt8(ascii: "f"): return .character(0x0C)
        case UInt8(ascii: "t"): return .character(0x09)
        case UInt8(ascii: "n"): return .character(0x0A)
        case UInt8(ascii: "r"): return .character(0x0D)
        case UInt8(ascii: "v"): return .character(0x0B)
        case UInt8(ascii: "x"): return .character(try hexEscape(at: start))
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            throw Failure(message: "backreferences and octal escapes are not supported (write \\x{…})", offset: start)
        case UInt8(ascii: "C"):
            throw Failure(message: "\\C (any byte) is not supported", offset: start)
        case let byte where byte < 0x80 && !Self.isAlphanumeric(byte):
            return .character(UInt32(byte))
        default:
            let shown = inClass ? "in a character class" : "(not RE2 syntax)"
            throw Failure(message: "unknown escape \\\(Unicode.Scalar(letter)) \(shown)", offset: start)
        }
    }

    /// `\xHH` or `\x{H…}`; `index` is just past the `x`.
    mutating func hexEscape(at start: Int) throws(Failure) -> UInt32 {
        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - 0x41 + 10)
            default: nil
            }
        }
        let failure = Failure(message: "invalid \\x escape", offset: start)
        if current == UInt8(ascii: "{") {
            index += 1
            var value: UInt32 = 0
            var digits = 0
            while let byte = current, let digit = hexValue(byte) {
                value = value &* 16 &+ digit
                digits += 1
                index += 1
                guard digits <= 8 else { throw failure }
            }
            guard digits > 0, current == UInt8(ascii: "}"), value <= 0x10FFFF else { throw failure }
            index += 1
            return value
        }
        guard let high = current.flatMap(hexValue), let low = peek(1).flatMap(hexValue) else { throw failure }
        index += 2
        return high * 16 + low
    }

    /// `\pL`, `\p{Greek}`, `\p{^Greek}` and their `\P` negations.
    mutating func unicodeClass(negated: Bool, at start: Int) throws(Failure) -> Atom {
        var negate = negated
        var name: [UInt8] = []
        if current == UInt8(ascii: "{") {
            index += 1
            if current == UInt8(ascii: "^") {
                negate.toggle()
                index += 1
            }
            while let byte = current, Self.isWordByte(byte) {
                name.append(byte)
                index += 1
            }
            guard current == UInt8(ascii: "}") else { throw Failure(message: "invalid Unicode class", offset: start) }
            index += 1
        } else if let byte = current, Self.isAlphanumeric(byte) {
            name = [byte]
            index += 1
        }
        guard !name.isEmpty else { throw Failure(message: "invalid Unicode class", offset: start) }
        return .set("\\\(negate ? "P" : "p"){\(String(decoding: name, as: UTF8.self))}")
    }

    /// A bracketed class. RE2 reads `[`, `&` and a leading `]` inside a class as text; ICU would not.
    mutating func characterClass() throws(Failure) {
        let start = index
        index += 1
        emit("[")
        if current == UInt8(ascii: "^") {
            emit("^")
            index += 1
        }
        var first = true
        while true {
            guard let byte = current else { throw Failure(message: "missing ']'", offset: start) }
            if byte == UInt8(ascii: "]"), !first {
                emit("]")
                index += 1
                return
            }
            first = false
            if byte == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":"), let set = try posixClass() {
                emit(set)
                continue
            }
            let lowStart = index
            let low = try classAtom()
            let isRange =
                current == UInt8(ascii: "-") && peek(1) != nil && peek(1) != UInt8(ascii: "]")
            guard isRange else {
                switch low {
                case .character(let value): emitLiteral(value)
                case .set(let set): emit(set)
                }
                continue
            }
            index += 1
            let high = try classAtom()
            guard case .character(let lowValue) = low, case .character(let highValue) = high, lowValue <= highValue
            else { throw Failure(message: "invalid character class range", offset: lowStart) }
            emitLiteral(lowValue)
            emit("-")
            emitLiteral(highValue)
        }
    }

    mutating func classAtom() throws(Failure) -> Atom {
        if current == UInt8(ascii: "\\") {
            if peek(1) == UInt8(ascii: "b") || peek(1) == UInt8(ascii: "B") {
                throw Failure(message: "\\b is not allowed in a character class", offset: index)
            }
            return try escape(inClass: true)
        }
        return .character(decodeScalar())
    }

    /// `[:name:]` or `[:^name:]` at `index`; nil when there is no closing `:]` (then `[` is a literal).
    mutating func posixClass() throws(Failure) -> String? {
        let start = index
        var cursor = index + 2
        while cursor + 1 < bytes.count, !(bytes[cursor] == UInt8(ascii: ":") && bytes[cursor + 1] == UInt8(ascii: "]"))
        {
            cursor += 1
        }
        guard cursor + 1 < bytes.count else { return nil }
        var name = bytes[(index + 2)..<cursor]
        let negated = name.first == UInt8(ascii: "^")
        if negated { name = name.dropFirst() }
        guard let ranges = Self.posixClasses[String(decoding: name, as: UTF8.self)] else {
            throw Failure(message: "unknown POSIX class", offset: start)
        }
        index = cursor + 2
        return negated ? "[^\(ranges)]" : "[\(ranges)]"
    }

    /// Emits one character so that ICU reads it as that character, inside or outside a class.
    mutating func emitLiteral(_ value: UInt32) {
        if value < 0x80, let byte = UInt8(exactly: value), byte >= 0x20, byte != 0x7F {
            if !Self.isAlphanumeric(byte) { output.append(UInt8(ascii: "\\")) }
            output.append(byte)
        } else {
            emit("\\x{" + String(value, radix: 16) + "}")
        }
    }

    /// Decodes the UTF-8 scalar at `index` and moves past it. Input comes from a Swift `String`, so it is
    /// valid UTF-8.
    mutating func decodeScalar() -> UInt32 {
        let lead = bytes[index]
        index += 1
        guard lead >= 0x80 else { return UInt32(lead) }
        let extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1
        var value = UInt32(lead) & (0x3F >> UInt32(extra))
        for _ in 0..<extra where index < bytes.count {
            value = value << 6 | UInt32(bytes[index] & 0x3F)
            index += 1
        }
        return value
    }
}
