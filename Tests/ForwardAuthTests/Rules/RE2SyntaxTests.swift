import ForwardAuth
import Testing

@testable import ForwardAuthOIDC

@Suite("RE2 regular expressions")
struct RE2SyntaxTests {
    /// `HeadersRegexp(`X`, `…`)`: the pattern starts at character 21.
    static func rule(_ pattern: String) -> String { "HeadersRegexp(`X`, `\(pattern)`)" }
    static let patternStart = 21

    /// Constructs RE2 refuses (backtracking-only features and syntax errors), with the offset in the pattern.
    @Test(arguments: [
        ("(a)\\1", 3, "backreferences and octal escapes are not supported (write \\x{…})"),
        ("a(?=b)", 1, "lookahead is not supported (RE2 syntax)"),
        ("a(?!b)", 1, "lookahead is not supported (RE2 syntax)"),
        ("(?<=a)b", 0, "lookbehind is not supported (RE2 syntax)"),
        ("(?<!a)b", 0, "lookbehind is not supported (RE2 syntax)"),
        ("(?>a+)b", 0, "atomic groups are not supported (RE2 syntax)"),
        ("a*+", 2, "nested repetition or possessive quantifier (not RE2)"),
        ("a++", 2, "nested repetition or possessive quantifier (not RE2)"),
        ("a?+", 2, "nested repetition or possessive quantifier (not RE2)"),
        ("a{2}+", 4, "nested repetition or possessive quantifier (not RE2)"),
        ("a**", 2, "nested repetition or possessive quantifier (not RE2)"),
        ("a*?+", 3, "nested repetition or possessive quantifier (not RE2)"),
        ("*a", 0, "missing argument to repetition operator"),
        ("a|*b", 2, "missing argument to repetition operator"),
        ("(*a)", 1, "missing argument to repetition operator"),
        ("(?i)*", 4, "missing argument to repetition operator"),
        ("a{1001}", 1, "invalid repeat count (RE2 allows at most 1000)"),
        ("a{3,2}", 1, "invalid repeat count (RE2 allows at most 1000)"),
        ("\\Z", 0, "unknown escape \\Z (not RE2 syntax)"),
        ("a\\G", 1, "unknown escape \\G (not RE2 syntax)"),
        ("\\k<n>", 0, "unknown escape \\k (not RE2 syntax)"),
        ("[\\R]", 1, "unknown escape \\R in a character class"),
        ("\\C", 0, "\\C (any byte) is not supported"),
        ("(?#note)a", 0, "comments (?#…) are not supported (RE2 syntax)"),
        ("(?U)a*", 0, "the ungreedy flag U is not supported"),
        ("(?x)a", 0, "unsupported group syntax (RE2 allows (?:…), (?P<name>…) and flags i, m, s)"),
        ("(?i-)a", 0, "invalid flag group"),
        ("(?P<>a)", 0, "invalid named capture"),
        ("(a", 0, "missing ')'"),
        ("a)", 1, "unexpected ')'"),
        ("[a", 0, "missing ']'"),
        ("[z-a]", 1, "invalid character class range"),
        ("[\\d-z]", 1, "invalid character class range"),
        ("[[:foo:]]", 1, "unknown POSIX class"),
        ("[\\b]", 1, "\\b is not allowed in a character class"),
        ("\\p{", 0, "invalid Unicode class"),
        ("\\x{110000}", 0, "invalid \\x escape"),
        ("\\xZ1", 0, "invalid \\x escape"),
        ("ab\\", 2, "trailing backslash"),
    ])
    func refuses(pattern: String, offset: Int, message: String) {
        let errors = RuleTesting.errors(Self.rule(pattern))
        #expect(errors.map(\.message) == ["HeadersRegexp: " + message])
        #expect(errors.map(\.position) == [Self.patternStart + offset])
    }

    /// RE2 semantics that ICU would read differently unless translated, and ordinary RE2 syntax.
    @Test(arguments: [
        ("^\\d+$", "123", true),
        ("^\\d+$", "١٢٣", false),  // \d is ASCII-only in RE2
        ("^\\w+$", "abc_1", true),
        ("^\\w+$", "é", false),
        ("^\\s$", " ", true),
        ("^\\s$", "\u{00A0}", false),
        ("^\\S+$", "ab", true),
        ("^[[:alpha:]]+$", "abc", true),
        ("^[[:alpha:]]+$", "é", false),
        ("^[^[:digit:]]+$", "abc", true),
        ("^[[:^digit:]x]+$", "abx", true),
        ("^a.c$", "a\rc", true),  // RE2's '.' excludes only \n
        ("^a.c$", "a\nc", false),
        ("(?s)^a.c$", "a\nc", true),
        ("(?s)^a.c$", "a\r\nc", false),  // one character per '.', even for CR LF
        ("(?s)^a..c$", "a\r\nc", true),
        ("\\nb", "a\r\nb", true),
        ("^[ a]+$", "a a", true),
        ("^[^ ]+$", "a a", false),
        ("^abc$", "abc\n", false),  // without (?m), $ is the end of the text
        ("(?m)^b$", "a\nb\nc", true),
        ("(?i)ABC", "xabcx", true),
        ("(?i:A)b", "aB", false),
        ("(?i:A)b", "ab", true),
        ("a(?i)b", "aB", true),
        ("^a{2,3}$", "aa", true),
        ("^a{2,3}$", "aaaa", false),
        ("^x{$", "x{", true),  // a brace that is no repeat is a literal in RE2
        ("^x{a}$", "x{a}", true),
        ("^[]a]+$", "]a", true),
        ("^[a&&b]+$", "&", true),  // '&&' is no intersection in RE2
        ("^[a-c-e]+$", "-", true),
        ("^[[a]+$", "[", true),
        ("^\\Qa.b\\E$", "a.b", true),
        ("^\\Qa.b\\E$", "axb", false),
        ("^(?P<name>a+)b$", "aab", true),
        ("^(?<name>a)b$", "ab", true),
        ("^\\x41\\x{42}$", "AB", true),
        ("^\\pL+$", "é", true),
        ("^\\p{Greek}$", "α", true),
        ("^\\PL$", "1", true),
        ("^\\p{^Greek}$", "a", true),
        ("\\bfoo\\b", "a foo b", true),
        ("\\bfoo\\b", "afoob", false),
        ("\\bfoo\\b", "éfooé", true),  // RE2 word characters are ASCII
        ("\\Bfoo", "afoo", true),
        ("^[\\d.]+$", "1.2", true),
        ("^a\\.b$", "axb", false),
        ("^#a b$", "#a b", true),
        ("a|b", "xbx", true),
        ("^a*?b$", "aab", true),
        ("^\\t\\x{263a}$", "\t☺", true),
    ])
    func matches(pattern: String, value: String, expected: Bool) throws {
        let request = TestRuleRequest(headers: [("X", value)])
        #expect(try RuleTesting.matches(Self.rule(pattern), request) == expected)
    }

    @Test func templateRegexFollowsRE2Too() throws {
        let rule = "Path(`/{x:.*}`)"
        #expect(try RuleTesting.matches(rule, TestRuleRequest(path: "/a\rb")))
        #expect(try !RuleTesting.matches(rule, TestRuleRequest(path: "/a\nb")))
        #expect(RuleTesting.errors("Path(`/{x:a(?=b)}`)").map(\.position) == [12])
    }
}
