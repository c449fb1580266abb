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
/// What one request may spend on regexes across all rules: ICU progress reports (each ≈ 10 000 backtracking
/// steps). Twice one match's own bound, so a request with many regex rules and header values costs at most about
/// 16 ms of matching, not 8 ms per regex per value.
struct RegexBudget {
    static let perRequest = 2 * BoundedRegex.progressBudget
    var reports = perRequest
}
