/// A compiled matcher expression: evaluated for every request, so it holds only ready-to-compare values and
/// compiled regexes. Plain `Host`, `Path`, `PathPrefix` and `Method` comparisons do not allocate.
indirect enum RuleExpression: Sendable {
    case matcher(Matcher)
    case not(RuleExpression)
    case all([RuleExpression])
    case any([RuleExpression])

    func evaluate(_ request: some RuleRequest, budget: inout RegexBudget) -> Bool {
        switch self {
        case .matcher(let matcher): matcher.matches(request, budget: &budget)
        case .not(let expression): !expression.evaluate(request, budget: &budget)
        case .all(let expressions): expressions.allSatisfy { $0.evaluate(request, budget: &budget) }
        case .any(let expressions): expressions.contains { $0.evaluate(request, budget: &budget) }
        }
    }

    /// Every regex the expression may run.
    var regexes: [BoundedRegex] {
        switch self {
        case .matcher(let matcher): matcher.regexes
        case .not(let expression): expression.regexes
        case .all(let expressions), .any(let expressions): expressions.flatMap(\.regexes)
        }
    }
}

/// One matcher call with its arguments compiled. Several arguments to `Host`, `Path`, `PathPrefix` or `Method`
/// mean "any of them"; several `Query` pairs mean "all of them" (as in gorilla/mux).
indirect enum Matcher: Sendable {
    case host([TextPattern])
    case path([TextPattern], prefix: Bool)
    /// Lower-cased method names.
    case method([String])
    /// Exact value, any of the header's values (header names are case-insensitive in `RuleRequest`).
    case header(name: String, value: String)
    /// Unanchored search in any of the header's values, as Go's `regexp.MatchString`.
    case headerRegex(name: String, regex: BoundedRegex)
    case query([QueryCondition])

    func matches(_ request: some RuleRequest, budget: inout RegexBudget) -> Bool {
        switch self {
        case .host(let patterns):
            let host = request.host
            return patterns.contains { $0.matchesHost(host, budget: &budget) }
        case .path(let patterns, let prefix):
            let path = request.path
            return patterns.contains { $0.matchesPath(path, prefix: prefix, budget: &budget) }
        case .method(let methods):
            let method = request.method
            return methods.contains {
                method.utf8.count == $0.utf8.count && TextPattern.compareBytes(method, $0, fold: true)
            }
        case .header(let name, let value):
            return request.headerValues(name).contains {
                $0.utf8.count == value.utf8.count && TextPattern.compareBytes($0, value, fold: false)
            }
        case .headerRegex(let name, let regex):
            return request.headerValues(name).contains { regex.matches($0, budget: &budget) }
        case .query(let conditions):
            let query = request.query
            return conditions.allSatisfy { $0.matches(query: query, budget: &budget) }
        }
    }

    var regexes: [BoundedRegex] {
        switch self {
        case .host(let patterns), .path(let patterns, _): patterns.compactMap(\.regex)
        case .headerRegex(_, let regex): [regex]
        case .query(let conditions): conditions.compactMap(\.regex)
        case .method, .header: []
        }
    }
}
