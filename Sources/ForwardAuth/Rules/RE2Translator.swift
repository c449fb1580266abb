import ForwardAuthOIDC

/// Checks a Go RE2 pattern and rewrites it into an equivalent ICU pattern for `NSRegularExpression`.
///
/// Operators write Go (RE2) syntax, the dialect of the Go fork. ICU backtracks and differs in details, so the
/// translation refuses what RE2 itself refuses (backreferences, lookaround, atomic groups, possessive and nested
/// quantifiers, unknown escapes, repeat counts over 1000) and rewrites what ICU reads differently:
/// - `\d \s \w` and POSIX classes are ASCII-only in RE2, Unicode in ICU → explicit ASCII sets;
/// - `.` is one code point other than `\n` (ICU also excludes `\r`, U+2028 … and, in dot-all mode, takes CR LF
///   as one character), and `^ $` follow the `m` flag exactly;
///   the `s` and `m` flags are applied here, only `i` is passed on to ICU;
/// - a literal `{`, `}`, `[` or `&` that RE2 reads as text is escaped, so ICU cannot read a set or repeat.
/// A few rare forms RE2 accepts are refused because ICU cannot express them identically: octal escapes (`\123`,
/// write `\x{53}`), the ungreedy flag `U`, and a repetition of an empty-width assertion (`^*`).
struct RE2Translator {
    struct Translation: Equatable {
        /// The ICU pattern.
        var pattern: String
        /// Number of capturing groups, and the byte offset of the first one.
        var captureCount: Int
        var firstCaptureOffset: Int?
    }

    /// Why a pattern is refused; `offset` is a byte offset into the pattern.
    struct Failure: Error, Equatable {
        var message: String
        var offset: Int
    }

    struct Flags: Equatable {
        var caseInsensitive = false
        var dotAll = false
        var multiLine = false
    }

    /// Translates `pattern`, optionally starting with the `i` flag (hosts match case-insensitively).
    static func translate(_ pattern: String, caseInsensitive: Bool = false) throws(Failure) -> Translation {
        var translator = RE2Translator(bytes: Array(pattern.utf8))
        translator.flags.caseInsensitive = caseInsensitive
        try translator.run()
        return Translation(
            pattern: String(decoding: translator.output, as: UTF8.self), captureCount: translator.captureCount,
            firstCaptureOffset: translator.firstCaptureOffset)
    }

    let bytes: [UInt8]
    var index = 0
    var output: [UInt8] = []
    var flags = Flags()
    /// Open groups: their start offset and the flags to restore at `)`.
    var groups: [(offset: Int, saved: Flags)] = []
    var captureCount = 0
    var firstCaptureOffset: Int?
    /// Whether the last item may take a quantifier, and whether it already has one.
    var repeatable = false
    var lastWasRepeat = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }
    func peek(_ ahead: Int) -> UInt8? { index + ahead < bytes.count ? bytes[index + ahead] : nil }
    mutating func emit(_ text: String) { output.append(contentsOf: text.utf8) }

    mutating func run() throws(Failure) {
        while let byte = current {
            let start = index
            var isRepeat = false
            switch byte {
            case UInt8(ascii: "("): try openGroup()
            case UInt8(ascii: ")"):
                guard let group = groups.popLast() else { throw Failure(message: "unexpected ')'", offset: start) }
                flags = group.saved
                emit(")")
                index += 1
                repeatable = true
            case UInt8(ascii: "|"):
                emit("|")
                index += 1
                repeatable = false
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                try quantifier(text: [byte], at: start)
                isRepeat = true
            case UInt8(ascii: "{"):
                if let count = try repeatCount() {
                    try quantifier(text: count, at: start)
                    isRepeat = true
                } else {
                    emit("\\{")
                    index += 1
                    repeatable = true
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
                index += 1
                repeatable = true
            case UInt8(ascii: "["):
                try characterClass()
                repeatable = true
            case UInt8(ascii: "."):
                // A set, not ICU's '.': in dot-all mode ICU's '.' takes CR LF as one character.
                emit(flags.dotAll ? "[\\x{0}-\\x{10ffff}]" : "[^\\n]")
                index += 1
                repeatable = true
            case UInt8(ascii: "^"):
                emit(flags.multiLine ? "(?:\\A|(?<=\\n))" : "\\A")
                index += 1
                repeatable = false
            case UInt8(ascii: "$"):
                emit(flags.multiLine ? "(?:\\z|(?=\\n))" : "\\z")
                index += 1
                repeatable = false
            case UInt8(ascii: "\\"): try topLevelEscape()
            default:
                copyScalar()
                repeatable = true
            }
            lastWasRepeat = isRepeat
        }
        if let open = groups.last { throw Failure(message: "missing ')'", offset: open.offset) }
    }

    /// Copies one literal character (all bytes of a multi-byte scalar).
    mutating func copyScalar() {
        repeat {
            output.append(bytes[index])
            index += 1
        } while index < bytes.count && bytes[index] & 0xC0 == 0x80
    }

    mutating func quantifier(text: [UInt8], at start: Int) throws(Failure) {
        if lastWasRepeat {
            throw Failure(message: "nested repetition or possessive quantifier (not RE2)", offset: start)
        }
        guard repeatable else { throw Failure(message: "missing argument to repetition operator", offset: start) }
        output.append(contentsOf: text)
        index += text.count
        if current == UInt8(ascii: "?") {  // lazy form
            output.append(UInt8(ascii: "?"))
            index += 1
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position, or nil when the brace is a literal (as in RE2).
    mutating func repeatCount() throws(Failure) -> [UInt8]? {
        var cursor = index + 1
        func number() -> Int? {
            let start = cursor
            var value = 0
            while cursor < bytes.count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39, cursor - start < 8 {
                value = value * 10 + Int(bytes[cursor] - 0x30)
                cursor += 1
            }
            return cursor > start ? value : nil
        }
        guard let minimum = number() else { return nil }
        var maximum: Int? = minimum
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ",") {
            cursor += 1
            maximum = number()
        }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "}") else { return nil }
        if minimum > 1000 || (maximum ?? 0) > 1000 || minimum > (maximum ?? minimum) {
            throw Failure(message: "invalid repeat count (RE2 allows at most 1000)", offset: index)
        }
        return Array(bytes[index...cursor])
    }

    mutating func openGroup() throws(Failure) {
        let start = index
        guard peek(1) == UInt8(ascii: "?") else {
            noteCapture(at: start)
            emit("(")
            index += 1
            return pushGroup(at: start)
        }
        switch peek(2) {
        case UInt8(ascii: ":"):
            emit("(?:")
            index += 3
            pushGroup(at: start)
        case UInt8(ascii: "P") where peek(3) == UInt8(ascii: "<"):
            try namedGroup(nameStart: index + 4, at: start)
        case UInt8(ascii: "<") where peek(3) == UInt8(ascii: "=") || peek(3) == UInt8(ascii: "!"):
            throw Failure(message: "lookbehind is not supported (RE2 syntax)", offset: start)
        case UInt8(ascii: "<"):
            try namedGroup(nameStart: index + 3, at: start)
        case UInt8(ascii: "="), UInt8(ascii: "!"):
            throw Failure(message: "lookahead is not supported (RE2 syntax)", offset: start)
        case UInt8(ascii: ">"):
            throw Failure(message: "atomic groups are not supported (RE2 syntax)", offset: start)
        default:
            try flagGroup(at: start)
        }
    }

    mutating func pushGroup(at start: Int) {
        groups.append((offset: start, saved: flags))
        repeatable = false
        lastWasRepeat = false
    }

    mutating func noteCapture(at offset: Int) {
        captureCount += 1
        if firstCaptureOffset == nil { firstCaptureOffset = offset }
    }

    /// `(?P<name>` or `(?<name>`: a capturing group; ICU is stricter about names, and we never read them.
    mutating func namedGroup(nameStart: Int, at start: Int) throws(Failure) {
        var cursor = nameStart
        while cursor < bytes.count, Self.isWordByte(bytes[cursor]) { cursor += 1 }
        guard cursor > nameStart, cursor < bytes.count, bytes[cursor] == UInt8(ascii: ">") else {
            throw Failure(message: "invalid named capture", offset: start)
        }
        noteCapture(at: start)
        emit("(")
        index = cursor + 1
        pushGroup(at: start)
    }

    /// `(?flags)` or `(?flags:re)` with flags from `i m s` (and `-`). `s` and `m` are applied by this
    /// translator; only `i` reaches ICU.
    mutating func flagGroup(at start: Int) throws(Failure) {
        var cursor = index + 2
        var newFlags = flags
        var negated = false
        var sawFlag = false
        var sawFlagAfterMinus = false
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "i"): newFlags.caseInsensitive = !negated
            case UInt8(ascii: "s"): newFlags.dotAll = !negated
            case UInt8(ascii: "m"): newFlags.multiLine = !negated
            case UInt8(ascii: "U"):
                throw Failure(message: "the ungreedy flag U is not supported", offset: start)
            case UInt8(ascii: "-"):
                guard !negated else { throw Failure(message: "invalid flag group", offset: start) }
                negated = true
                cursor += 1
                continue
            case UInt8(ascii: ":"), UInt8(ascii: ")"):
                guard sawFlag, !negated || sawFlagAfterMinus else {
                    throw Failure(message: "invalid flag group", offset: start)
                }
                let icase =
                    newFlags.caseInsensitive == flags.caseInsensitive ? "" : (newFlags.caseInsensitive ? "i" : "-i")
                index = cursor + 1
                if byte == UInt8(ascii: ")") {
                    // Applies to the rest of the enclosing group; not an item that can be repeated.
                    if !icase.isEmpty { emit("(?\(icase))") }
                    flags = newFlags
                    repeatable = false
                } else {
                    emit(icase.isEmpty ? "(?:" : "(?\(icase):")
                    pushGroup(at: start)
                    flags = newFlags
                }
                return
            case UInt8(ascii: "#"):
                throw Failure(message: "comments (?#…) are not supported (RE2 syntax)", offset: start)
            default:
                throw Failure(
                    message: "unsupported group syntax (RE2 allows (?:…), (?P<name>…) and flags i, m, s)", offset: start
                )
            }
            sawFlag = true
            if negated { sawFlagAfterMinus = true }
            cursor += 1
        }
        throw Failure(message: "missing ')'", offset: start)
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
}
