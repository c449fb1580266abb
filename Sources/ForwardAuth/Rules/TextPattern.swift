/// One compiled `Host`, `Path`, `PathPrefix` or `Query` value argument: a literal compared byte by byte (no
/// allocation, no Unicode normalization — Go compares bytes too), or a template regex.
enum TextPattern: Sendable {
    /// For hosts the literal is lower-cased at compile time.
    case literal(String)
    case regex(BoundedRegex)

    var regex: BoundedRegex? {
        if case .regex(let regex) = self { regex } else { nil }
    }

    /// Host: ASCII case-insensitive against a lower-case literal (the request host is lower-case already; this
    /// also holds for a `RuleRequest` that is not).
    func matchesHost(_ host: String, budget: inout RegexBudget) -> Bool {
        switch self {
        case .literal(let literal):
            host.utf8.count == literal.utf8.count && Self.compareBytes(host, literal, fold: true)
        case .regex(let regex): regex.matches(host, budget: &budget)
        }
    }

    /// Path: the whole path, or (prefix) its beginning; a prefix regex is anchored at the start only.
    func matchesPath(_ path: String, prefix: Bool, budget: inout RegexBudget) -> Bool {
        switch self {
        case .literal(let literal):
            (prefix ? path.utf8.count >= literal.utf8.count : path.utf8.count == literal.utf8.count)
                && Self.compareBytes(path, literal, fold: false)
        case .regex(let regex): regex.matches(path, budget: &budget)
        }
    }

    /// Whether the first `literal.utf8.count` bytes of `text` equal `literal` (the caller checked the length).
    /// With `fold`, upper-case ASCII letters in `text` compare as lower-case.
    static func compareBytes(_ text: String, _ literal: String, fold: Bool) -> Bool {
        let count = literal.utf8.count
        let fast = text.utf8.withContiguousStorageIfAvailable { textBytes in
            literal.utf8.withContiguousStorageIfAvailable { literalBytes in
                equal(textBytes.prefix(count), literalBytes, fold: fold)
            }
        }
        if let fast, let result = fast { return result }
        return equal(text.utf8.prefix(count), literal.utf8, fold: fold)
    }

    private static func equal(_ text: some Collection<UInt8>, _ literal: some Collection<UInt8>, fold: Bool) -> Bool {
        guard fold else { return text.elementsEqual(literal) }
        return text.elementsEqual(literal) { byte, expected in
            byte == expected || (byte >= 0x41 && byte <= 0x5A && byte | 0x20 == expected)
        }
    }
}
