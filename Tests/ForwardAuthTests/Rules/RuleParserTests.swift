import ForwardAuth
import Testing

@Suite("Rule expression syntax")
struct RuleParserTests {
    static let request = TestRuleRequest(method: "GET", host: "app.example.com", path: "/a")

    /// Accepted expressions, and whether they match `GET app.example.com/a` (so the parse is also checked).
    @Test(arguments: [
        ("Host(`app.example.com`)", true),
        ("Host(\"app.example.com\")", true),
        ("Host(`other.com`, `app.example.com`)", true),
        ("Host(`other.com`, `app.example.com`,)", true),
        ("  Host( `app.example.com` )  ", true),
        ("Host(`x.com`)\n  || Path(`/a`)", true),
        ("\tPath(`/a`)\r\n&&\tMethod(`GET`)", true),
        ("host(`app.example.com`)", true),
        ("HOST(`app.example.com`)", true),
        ("Pathprefix(`/`)", true),
        ("pathprefix(`/`)", true),
        ("PATHPREFIX(`/`)", true),
        ("HostHeader(`app.example.com`)", true),
        ("Hostregexp(`{sub}.example.com`)", true),
        ("!Path(`/a`)", false),
        ("!!Path(`/a`)", true),
        ("((Path(`/a`)))", true),
        ("Host(`app.example.com`)&&(Path(`/b`)||!Method(`POST`))", true),
        ("Path(\"/\\u0061\")", true),
        ("Path(\"/\\x61\")", true),
    ])
    func accepts(rule: String, matches: Bool) throws {
        #expect(RuleTesting.errors(rule) == [])
        #expect(try RuleTesting.matches(rule, Self.request) == matches)
    }

    /// Refused expressions: the 1-based character position and the message.
    @Test(arguments: [
        ("", 1, "expected a matcher, '!' or '('"),
        ("   ", 4, "expected a matcher, '!' or '('"),
        ("Host(`a.com`", 13, "expected ',' or ')'"),
        ("Host(`a.com` `b.com`)", 14, "expected ',' or ')'"),
        ("Host(`a.com`,,)", 14, "expected a quoted string"),
        ("Host(a.com)", 6, "expected a quoted string"),
        ("Host(`a.com`) && ", 18, "expected a matcher, '!' or '('"),
        ("Path(`/a`) &&& Path(`/b`)", 14, "expected a matcher, '!' or '('"),
        ("Host(`a.com`) & Path(`/`)", 15, "expected '&&'"),
        ("Host(`a.com`) | Path(`/`)", 15, "expected '||'"),
        ("Host(`a.com`) Path(`/`)", 15, "expected '&&', '||' or the end of the rule"),
        ("Host(`a.com`))", 14, "expected '&&', '||' or the end of the rule"),
        ("(Host(`a.example.com`)", 23, "expected ')'"),
        ("Host `a.com`", 6, "expected '(' after Host"),
        ("!", 2, "expected a matcher, '!' or '('"),
        ("Host(`a.com)", 6, "unterminated string"),
        ("Host(\"a.com)", 6, "unterminated string"),
        ("Host(\"a.com\n\")", 6, "unterminated string"),
        ("Host(\"a\\d\")", 8, "invalid escape in a double-quoted string (use backticks for regular expressions)"),
        ("Path(\"/\\xe9\")", 8, "invalid escape in a double-quoted string (use backticks for regular expressions)"),
        (
            "Hots(`a.com`)", 1,
            "unknown matcher 'Hots' (expected Host, HostRegexp, Path, PathPrefix, Method, Headers, HeadersRegexp or Query)"
        ),
        (
            "Path(`/é`) && ClientIP(`10.0.0.1`)", 15,
            "unknown matcher 'ClientIP' (expected Host, HostRegexp, Path, PathPrefix, Method, Headers, HeadersRegexp or Query)"
        ),
        ("Host()", 1, "Host needs at least one argument"),
        ("Host(``)", 6, "empty argument to Host"),
        ("Headers(`X-A`)", 1, "Headers takes 2 arguments (name, value), got 1"),
        ("HeadersRegexp(`X-A`, `a`, `b`)", 1, "HeadersRegexp takes 2 arguments (name, value), got 3"),
        (
            String(repeating: "(", count: 65) + "Path(`/`)" + String(repeating: ")", count: 65), 65,
            "expression nested too deeply"
        ),
        (String(repeating: "!", count: 65) + "Path(`/`)", 65, "expression nested too deeply"),
    ])
    func refuses(rule: String, position: Int, message: String) {
        let errors = RuleTesting.errors(rule)
        #expect(errors.count == 1)
        #expect(errors.first?.position == position)
        #expect(errors.first?.message == message)
        #expect(errors.first?.ruleName == "r")
    }

    @Test func descriptionNamesRuleMessageAndPosition() {
        let errors = RuleTesting.errors("(Host(`a.example.com`)")
        #expect(errors.map(\.description) == ["rule \"r\": expected ')' at position 23"])
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let rule = String(repeating: "(", count: 64) + "Path(`/a`)" + String(repeating: ")", count: 64)
        #expect(try RuleTesting.matches(rule, Self.request))
    }
}
