import ForwardAuthOIDC

/// One problem in one rule's matcher expression: which rule, where (1-based character position in the rule
/// text), and what was wrong or expected. Reads as `rule "api": expected ')' at position 23`.
///
/// The description quotes only the rule's name and, for an unknown matcher, the word written there — never a
/// request value.
package struct RuleError: Error, Hashable, CustomStringConvertible {
    enum Code: Hashable {
        case expected(String)
        case unknownMatcher(String)
        case unterminatedString
        case invalidEscape
        case missingArguments(matcher: String)
        case argumentCount(matcher: String, expected: String, got: Int)
        case emptyArgument(matcher: String)
        case tooDeeplyNested
        /// A template or regular expression problem, in the words of `RouteTemplate` / `RE2Translator`.
        case invalidArgument(matcher: String, reason: String)
    }

    /// The rule's name (`rule.NAME.rule`).
    package let ruleName: String
    /// 1-based position, in characters, of the problem in the rule text (one past the end for "expected …"
    /// at the end of the text).
    package let position: Int
    let code: Code

    init(ruleName: String, position: Int, code: Code) {
        self.ruleName = ruleName
        self.position = position
        self.code = code
    }

    /// What is wrong, without the rule name and position.
    package var message: String {
        switch code {
        case .expected(let what): "expected \(what)"
        case .unknownMatcher(let name):
            "unknown matcher '\(name)' (expected Host, HostRegexp, Path, PathPrefix, Method, Headers, HeadersRegexp or Query)"
        case .unterminatedString: "unterminated string"
        case .invalidEscape: "invalid escape in a double-quoted string (use backticks for regular expressions)"
        case .missingArguments(let matcher): "\(matcher) needs at least one argument"
        case .argumentCount(let matcher, let expected, let got): "\(matcher) takes \(expected), got \(got)"
        case .emptyArgument(let matcher): "empty argument to \(matcher)"
        case .tooDeeplyNested: "expression nested too deeply"
        case .invalidArgument(let matcher, let reason): "\(matcher): \(reason)"
        }
    }

    package var description: String { "rule \"\(ruleName)\": \(message) at position \(position)" }
}

/// Every problem found while compiling a set of rules, in rule order, so an operator fixes them all at once.
package struct RuleSetError: Error, Hashable, CustomStringConvertible {
    package let errors: [RuleError]

    package init(errors: [RuleError]) { self.errors = errors }

    /// One line per problem.
    package var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A problem found while parsing or compiling one rule, before the rule's name and character positions are
/// known: `offset` is a UTF-8 byte offset into the rule text.
struct RuleIssue: Error, Equatable {
    var code: RuleError.Code
    var offset: Int

    /// Names the rule and turns the byte offset into a 1-based character position.
    func error(in definition: RuleDefinition) -> RuleError {
        let prefix = definition.rule.utf8.prefix(max(offset, 0))
        let position = String(decoding: prefix, as: UTF8.self).count + 1
        return RuleError(ruleName: definition.name, position: position, code: code)
    }
}
