import ForwardAuthOIDC
import ForwardAuthWire

/// Turns one rule's text into a `RuleExpression`, collecting every problem in it: the first syntax error (the
/// parser stops there) or, when the syntax is sound, every bad argument of every matcher.
enum RuleCompiler {
    static func compile(_ text: String, issues: inout [RuleIssue]) -> RuleExpression? {
        let tree: RuleParser.Node
        do {
            tree = try RuleParser.parse(text)
        } catch {
            issues.append(error)
            return nil
        }
        let before = issues.count
        let expression = compile(tree, issues: &issues)
        return issues.count == before ? expression : nil
    }

    /// A call that fails records its issues and leaves a placeholder; the caller then drops the whole expression,
    /// so the placeholder is never evaluated. Compiling on past a failure is what lets every bad argument show.
    private static func compile(_ node: RuleParser.Node, issues: inout [RuleIssue]) -> RuleExpression {
        switch node {
        case .call(let call): .matcher(compile(call, issues: &issues) ?? .method([]))
        case .not(let inner): .not(compile(inner, issues: &issues))
        case .all(let nodes): .all(nodes.map { compile($0, issues: &issues) })
        case .any(let nodes): .any(nodes.map { compile($0, issues: &issues) })
        }
    }

    private static func compile(_ call: RuleParser.Call, issues: inout [RuleIssue]) -> Matcher? {
        let name = call.matcher.rawValue
        guard !call.arguments.isEmpty else {
            issues.append(RuleIssue(code: .missingArguments(matcher: name), offset: call.offset))
            return nil
        }
        let empty = call.arguments.filter { $0.value.isEmpty }
        guard empty.isEmpty else {
            issues += empty.map { RuleIssue(code: .emptyArgument(matcher: name), offset: $0.offset) }
            return nil
        }
        let arguments = call.arguments
        func invalid(_ argument: RuleParser.Argument, _ failure: RouteTemplate.Failure) {
            let code = RuleError.Code.invalidArgument(matcher: name, reason: failure.message)
            issues.append(RuleIssue(code: code, offset: argument.sourceOffset(failure.offset)))
        }
        func templates(_ kind: RouteTemplate.Kind) -> [TextPattern]? {
            var patterns: [TextPattern] = []
            for argument in arguments {
                do throws(RouteTemplate.Failure) {
                    patterns.append(try RouteTemplate.compile(argument.value, as: kind))
                } catch {
                    invalid(argument, error)
                }
            }
            return patterns.count == arguments.count ? patterns : nil
        }

        switch call.matcher {
        case .host, .hostHeader, .hostRegexp:
            return templates(.host).map { .host($0) }
        case .path:
            return templates(.path).map { .path($0, prefix: false) }
        case .pathPrefix:
            return templates(.pathPrefix).map { .path($0, prefix: true) }
        case .method:
            return .method(arguments.map { $0.value.asciiLowercased() })
        case .headers, .headersRegexp:
            guard arguments.count == 2 else {
                let code = RuleError.Code.argumentCount(
                    matcher: name, expected: "2 arguments (name, value)", got: arguments.count)
                issues.append(RuleIssue(code: code, offset: call.offset))
                return nil
            }
            let (header, value) = (arguments[0].value, arguments[1])
            guard call.matcher == .headersRegexp else { return .header(name: header, value: value.value) }
            do throws(RE2Translator.Failure) {
                let translation = try RE2Translator.translate(value.value)
                guard
                    let regex = BoundedRegex(
                        icuPattern: translation.pattern, anchored: false,
                        maximumInputLength: RouteTemplate.maximumTextLength)
                else {
                    invalid(
                        value,
                        RouteTemplate.Failure(message: "regular expression not accepted by the engine", offset: 0))
                    return nil
                }
                return .headerRegex(name: header, regex: regex)
            } catch {
                invalid(value, RouteTemplate.Failure(message: error.message, offset: error.offset))
                return nil
            }
        case .query:
            var conditions: [QueryCondition] = []
            for argument in arguments {
                do throws(RouteTemplate.Failure) {
                    conditions.append(try QueryCondition(argument.value))
                } catch {
                    invalid(argument, error)
                }
            }
            return conditions.count == arguments.count ? .query(conditions) : nil
        }
    }
}
