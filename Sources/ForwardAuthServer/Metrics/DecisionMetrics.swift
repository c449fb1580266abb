import ForwardAuthOIDC
import CoreMetrics
import ForwardAuth
import Metrics

/// Decisions by route and outcome, their latency by route, and login results: every label combination made
/// once at start, so recording is an index and an atomic add.
struct DecisionMetrics: Sendable {
    static let decisionsName = "forward_auth_decisions_total"
    static let durationName = "forward_auth_decision_duration_seconds"
    static let loginsName = "forward_auth_logins_total"
    static let ruleDecisionsName = "forward_auth_rule_decisions_total"
    /// The `rule` label of checks no rule matched (the default action decided).
    static let defaultRuleLabel = "(default-action)"
    /// A check from a session cookie takes microseconds; a callback waits for the provider (milliseconds to
    /// seconds), so the buckets span both.
    static let durationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    /// Every route, in `metricIndex` order.
    /// (A broker callback's subrequest counts under its callback: `sso_callback` with outcome `allow`.)
    static let routes: [Route] = [
        .check, .checkWithoutRedirect, .callback, .logout, .startLogin, .brokerDelivery, .brokerCallback, .refresh,
    ]

    /// Indexed by `route.metricIndex * DecisionOutcome.count + outcome.rawValue`.
    private let decisions: [Counter]
    /// Indexed by `route.metricIndex`.
    private let durations: [Timer]
    /// Indexed by `LoginResult.rawValue * loginClaimSlots + claim slot`: slot 0 is `claim=""`, slot
    /// 1 + `IDTokenError.Reason.rawValue` names the check that refused the token (only for the results that have
    /// one).
    private let logins: [Counter?]
    private static let loginClaimSlots = 1 + IDTokenError.Reason.allCases.count
    /// Checks by deciding rule: indexed by `(rule + 1) * DecisionOutcome.count + outcome.rawValue`, where rule
    /// is the index into `RuleSet.definitions` and -1 the default action.
    private let rules: [Counter]

    /// - Parameter ruleNames: the rules in `RuleSet.definitions` order.
    init(factory: any MetricsFactory, ruleNames: [String] = []) {
        var decisions: [Counter] = []
        for route in Self.routes {
            for outcome in DecisionOutcome.allCases {
                decisions.append(
                    Counter(
                        label: Self.decisionsName,
                        dimensions: [("route", route.metricLabel), ("outcome", outcome.label)], factory: factory))
            }
        }
        self.decisions = decisions
        durations = Self.routes.map {
            Timer(label: Self.durationName, dimensions: [("route", $0.metricLabel)], factory: factory)
        }
        logins = LoginResult.allCases.flatMap { result in
            let claims: [IDTokenError.Reason?] =
                result == .invalidToken || result == .missingEmail ? [nil] + IDTokenError.Reason.allCases : [nil]
            let counters = claims.map { claim in
                Counter(
                    label: Self.loginsName, dimensions: [("result", result.label), ("claim", claim?.label ?? "")],
                    factory: factory)
            }
            return counters + Array(repeating: nil, count: Self.loginClaimSlots - counters.count)
        }
        rules = ([Self.defaultRuleLabel] + ruleNames).flatMap { name in
            DecisionOutcome.allCases.map { outcome in
                Counter(
                    label: Self.ruleDecisionsName, dimensions: [("rule", name), ("outcome", outcome.label)],
                    factory: factory)
            }
        }
    }

    /// Counts one check by the rule that decided it (nil: the default action).
    func record(_ outcome: DecisionOutcome, rule: Int?) {
        let index = (rule ?? -1) &+ 1
        guard index >= 0, index &* DecisionOutcome.count < rules.count else { return }
        rules[index &* DecisionOutcome.count &+ outcome.rawValue].increment()
    }

    /// Counts one answered request and how long deciding and rendering it took.
    func record(_ outcome: DecisionOutcome, route: Route, duration: Duration) {
        let index = route.metricIndex
        decisions[index &* DecisionOutcome.count &+ outcome.rawValue].increment()
        durations[index].record(duration: duration)
    }

    /// Counts one callback by its result and, for a refused token, the check that refused it.
    func record(_ login: LoginResult, claim: IDTokenError.Reason?) {
        let base = login.rawValue &* Self.loginClaimSlots
        (logins[base &+ (claim.map { 1 &+ $0.rawValue } ?? 0)] ?? logins[base])?.increment()
    }
}

extension Route {
    /// The position in `DecisionMetrics.routes`.
    var metricIndex: Int {
        switch self {
        case .check: 0
        case .checkWithoutRedirect: 1
        case .callback: 2
        case .logout: 3
        case .startLogin: 4
        case .brokerDelivery: 5
        case .brokerCallback, .brokerCallbackPassage: 6
        case .refresh: 7
        }
    }

    /// The `route` label: what the endpoint is called in the docs (`auth` and `start` are nginx's).
    var metricLabel: String {
        switch self {
        case .check: "check"
        case .checkWithoutRedirect: "auth"
        case .callback: "callback"
        case .logout: "logout"
        case .startLogin: "start"
        case .brokerDelivery: "sso"
        case .brokerCallback, .brokerCallbackPassage: "sso_callback"
        case .refresh: "refresh"
        }
    }
}
