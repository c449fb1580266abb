import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

struct BoundedRegex: Sendable {
    /// Progress reports allowed per match before it is abandoned.
    static let progressBudget = 50

    let expression: NSRegularExpression
    let maximumInputLength: Int
    /// Literal text that every match starts or ends with (a template's text around its variables): a request
    /// that lacks it is refused by a byte comparison, without running ICU. Lower-case when `foldsCase`.
    let requiredPrefix: [UInt8]
    let requiredSuffix: [UInt8]
    /// The pattern matches ASCII letters case-insensitively (`(?i)`, host templates).
    let foldsCase: Bool
    /// A quantified group that itself holds a quantifier (`(a+)+`, `(?:x*y?)*`): the shape that backtracks
    /// exponentially in ICU. Still bounded per match and per request, but worth a warning at start-up.
    let hasNestedQuantifier: Bool

    /// Whether `pattern` quantifies a group that holds a quantifier. Escapes and character classes are skipped;
    /// `?` after `(` (a group's flags) and after a quantifier (laziness) is not a quantifier.
    static func hasNestedQuantifier(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var quantifiedInside: [Bool] = []  // one per open group: does it hold a quantifier?
        var index = 0
        var closedGroupHeldQuantifier = false
        while index < bytes.count {
            let byte = bytes[index]
            var justClosed = false
            switch byte {
            case UInt8(ascii: "\\"):
                index += 1
                // `\x{41}`, `\p{L}`: the braces belong to the escape.
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") {
                    while index < bytes.count, bytes[index] != UInt8(ascii: "}") { index += 1 }
                }
            case UInt8(ascii: "["):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
                while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
            case UInt8(ascii: "("):
                quantifiedInside.append(false)
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?") { index += 1 }
            case UInt8(ascii: ")"):
                closedGroupHeldQuantifier = quantifiedInside.popLast() ?? false
                justClosed = true
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                let isQuantifier =
                    byte != UInt8(ascii: "{")
                    || (index + 1 < bytes.count && bytes[index + 1] >= 0x30 && bytes[index + 1] <= 0x39)
                if isQuantifier {
                    if closedGroupHeldQuantifier, byte != UInt8(ascii: "?") { return true }
                    if !quantifiedInside.isEmpty { quantifiedInside[quantifiedInside.count - 1] = true }
                    if byte == UInt8(ascii: "{") {
                        while index < bytes.count, bytes[index] != UInt8(ascii: "}") { index += 1 }
                    }
                    // Laziness or possessiveness marks, not quantifiers of their own.
                    if index + 1 < bytes.count,
                        bytes[index + 1] == UInt8(ascii: "?") || bytes[index + 1] == UInt8(ascii: "+")
                    {
                        index += 1
                    }
                }
            default:
                break
            }
            if !justClosed { closedGroupHeldQuantifier = false }
            index += 1
        }
        return false
    }

    /// Compiles an ICU pattern produced by `RE2Translator`; nil if ICU refuses it. `anchored` patterns must match
    /// from the start of the input (templates, which also anchor their end); others may match anywhere.
    /// `requiredPrefix` and `requiredSuffix` must be literal text that the pattern demands at the very start and
    /// the very end of every match of the whole input (empty when it demands none).
    init?(
        icuPattern: String, anchored: Bool, maximumInputLength: Int, requiredPrefix: String = "",
        requiredSuffix: String = "", foldsCase: Bool = false
    ) {
        // Any code point, lazily; not ICU's dot-all '.', which would step over CR LF as one character.
        self.hasNestedQuantifier = Self.hasNestedQuantifier(icuPattern)
        let pattern = anchored ? icuPattern : "[\\x{0}-\\x{10ffff}]*?(?:" + icuPattern + ")"
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.expression = expression
        self.maximumInputLength = maximumInputLength
        self.requiredPrefix = Array(requiredPrefix.utf8).map { foldsCase ? ASCII.lowercased($0) : $0 }
        self.requiredSuffix = Array(requiredSuffix.utf8).map { foldsCase ? ASCII.lowercased($0) : $0 }
        self.foldsCase = foldsCase
    }

    func matches(_ text: String) -> Bool {
        var budget = RegexBudget()
        return matches(text, budget: &budget)
    }

    /// A match that also spends `budget`, the request's allowance across every regex of every rule: once it is
    /// spent, no regex runs for the rest of the request (each counts as no match).
    func matches(_ text: String, budget: inout RegexBudget) -> Bool {
        guard text.utf8.count <= maximumInputLength else { return false }
        guard mayMatch(text.utf8) else { return false }
        guard budget.reports > 0 else { return false }
        var found = false
        var reports = 0
        var left = budget.reports
        let range = NSRange(location: 0, length: text.utf16.count)
        expression.enumerateMatches(in: text, options: [.reportProgress, .anchored], range: range) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
                return
            }
            reports += 1
            left -= 1
            if reports >= Self.progressBudget || left <= 0 { stop.pointee = true }
        }
        budget.reports = left
        return found
    }

    /// False when `text` lacks the required prefix or suffix, so no match is possible. Case-folded comparison
    /// only for ASCII text: ICU's `(?i)` also folds some non-ASCII letters onto ASCII ones (K, ſ), which a
    /// byte comparison would miss, so such text always goes to ICU.
    private func mayMatch(_ text: String.UTF8View) -> Bool {
        if requiredPrefix.isEmpty && requiredSuffix.isEmpty { return true }
        if foldsCase, !text.allSatisfy({ $0 < 0x80 }) { return true }
        guard text.count >= requiredPrefix.count + requiredSuffix.count else { return false }
        let equal: (UInt8, UInt8) -> Bool = { [foldsCase] byte, literal in
            byte == literal || (foldsCase && ASCII.lowercased(byte) == literal)
        }
        return text.starts(with: requiredPrefix, by: equal)
            && text.reversed().starts(with: requiredSuffix.reversed(), by: equal)
    }
}
