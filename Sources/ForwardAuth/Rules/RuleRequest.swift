/// The parts of a request that rule matchers look at.
///
/// `ForwardedRequest` conforms; tests and benchmarks may use their own values. Header lookup is a method, not
/// a dictionary, so the hot path does not build a header table for rules that never look at headers.
package protocol RuleRequest {
    /// Upper-case HTTP method, e.g. `GET`.
    var method: String { get }
    /// Host without port, lower-cased.
    var host: String { get }
    /// Normalized path: percent-decoded once, dot-segments resolved, always starts with `/`, no query.
    var path: String { get }
    /// Raw query string without the `?`, or empty.
    var query: String { get }
    /// All values of a header (case-insensitive name) of the original request, in order.
    func headerValues(_ name: String) -> [String]
}
