import ForwardAuth

/// A plain `RuleRequest` for rule tests: defaults describe `GET https://app.example.com/`.
struct TestRuleRequest: RuleRequest, Sendable {
    var method = "GET"
    var host = "app.example.com"
    var path = "/"
    var query = ""
    var headers: [(name: String, value: String)] = []

    init(
        method: String = "GET", host: String = "app.example.com", path: String = "/", query: String = "",
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

enum RuleTesting {
    /// Whether a one-rule set built from `rule` matches `request`.
    static func matches(_ rule: String, _ request: TestRuleRequest) throws -> Bool {
        try RuleSet([RuleDefinition(name: "r", rule: rule)]).match(request) != nil
    }

    /// The errors of a one-rule set named `r`, or an empty list when it compiles.
    static func errors(_ rule: String) -> [RuleError] {
        do {
            _ = try RuleSet([RuleDefinition(name: "r", rule: rule)])
            return []
        } catch {
            return error.errors
        }
    }
}
