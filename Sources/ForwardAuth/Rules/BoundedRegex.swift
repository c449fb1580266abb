import Foundation

/// A compiled regular expression whose every match is bounded in input and in work.
///
/// ICU (behind `NSRegularExpression`) backtracks, so an RE2 pattern that Go runs in linear time can take
/// exponential time here. Two bounds keep one match cheap whatever the request holds:
/// - input over `maximumInputLength` UTF-8 bytes does not match, without running the engine;
/// - with `.reportProgress`, ICU reports about every 10 000 backtracking steps; after `progressBudget` reports the
///   match is abandoned and counts as no match (≈ 500 000 steps, ≈ 8 ms on one core).
/// ICU also reports each new start position of an unanchored search, which would eat the budget on long input,
/// so every match runs anchored: a search for `P` runs as the anchored match of `[\x{0}-\x{10ffff}]*?(?:P)`.
///
/// `NSRegularExpression` was measured against Swift `Regex` for a typical `HostRegexp` match
/// (`\A(?:[a-z0-9-]+)\.example\.com\z`, release build, Linux, 2 cores): ≈ 0.7–0.8 µs per match for
/// `NSRegularExpression` (with the progress callback) against ≈ 1.2–1.5 µs for `Regex`; and `Regex` offers no way
/// to stop a runaway match (`(?:x+x+)+y` on 20 characters: 25 s, against ICU abandoned after ≈ 8 ms).
struct BoundedRegex: Sendable {
    /// Progress reports allowed per match before it is abandoned.
    static let progressBudget = 50

    let expression: NSRegularExpression
    let maximumInputLength: Int

    /// Compiles an ICU pattern produced by `RE2Translator`; nil if ICU refuses it. `anchored` patterns must match
    /// from the start of the input (templates, which also anchor their end); others may match anywhere.
    init?(icuPattern: String, anchored: Bool, maximumInputLength: Int) {
        // Any code point, lazily; not ICU's dot-all '.', which would step over CR LF as one character.
        let pattern = anchored ? icuPattern : "[\\x{0}-\\x{10ffff}]*?(?:" + icuPattern + ")"
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.expression = expression
        self.maximumInputLength = maximumInputLength
    }

    func matches(_ text: String) -> Bool {
        guard text.utf8.count <= maximumInputLength else { return false }
        var found = false
        var reports = 0
        let range = NSRange(location: 0, length: text.utf16.count)
        expression.enumerateMatches(in: text, options: [.reportProgress, .anchored], range: range) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
                return
            }
            reports += 1
            if reports >= Self.progressBudget { stop.pointee = true }
        }
        return found
    }
}
