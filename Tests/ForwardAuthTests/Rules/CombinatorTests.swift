import ForwardAuth
import Testing

@Suite("Rule combinators and precedence")
struct CombinatorTests {
    // For the request below T is true and F is false.
    static let request = TestRuleRequest(path: "/t")
    static let t = "Path(`/t`)"
    static let f = "Path(`/f`)"

    /// Each expected value differs from what a wrong grouping would give (noted alongside).
    @Test(arguments: [
        ("T || F && F", true),  // (T || F) && F would be false
        ("(T || F) && F", false),
        ("F && F || T", true),  // F && (F || T) would be false
        ("F && (F || T)", false),
        ("!F && F", false),  // !(F && F) would be true
        ("!T || T", true),  // !(T || T) would be false
        ("!(T || F)", false),
        ("!(F) && !F", true),
        ("!!T", true),
        ("!!!T", false),
        ("F || F || T", true),
        ("T && T && F", false),
        ("T && !F && (F || !F)", true),
    ])
    func evaluates(expression: String, expected: Bool) throws {
        let rule = expression.map { $0 == "T" ? Self.t : $0 == "F" ? Self.f : String($0) }.joined()
        #expect(try RuleTesting.matches(rule, Self.request) == expected)
    }
}
