import CoreMetrics
import ForwardAuth
import Prometheus

/// Every instrument forward-auth records, made once per application: the per-request path only picks
/// pre-made counters by index (no label strings built, no registry look-ups, no allocation).
///
/// Each application has its own `PrometheusCollectorRegistry`, passed down explicitly rather than through the
/// process-wide `MetricsSystem` (which can be bootstrapped only once): tests build many applications in one
/// process, and each `/metrics` shows only its own application.
struct ForwardAuthMetrics: Sendable {
    static let buildInfoName = "forward_auth_build_info"
    static let untrustedPrefixName = "forward_auth_untrusted_prefix_total"
    static let connectionsTimedOutName = "forward_auth_connections_timed_out_total"
    static let goSessionsName = "forward_auth_go_sessions_total"
    static let brokerName = "forward_auth_broker_total"
    static let refreshesName = "forward_auth_refreshes_total"

    /// What `/metrics` renders.
    let registry: PrometheusCollectorRegistry
    let decisions: DecisionMetrics
    let provider: ProviderMetrics
    /// Requests whose `X-Forwarded-Prefix` was ignored (`trust-forwarded-prefix` is off).
    let untrustedPrefix: CoreMetrics.Counter
    /// Checks a session cookie of the Go fork authenticated (`accept-go-cookies`): zero once the swap's sessions
    /// have expired, when the reader can be turned off.
    let goSessions: CoreMetrics.Counter
    /// The SSO broker's steps by result (`forward_auth_broker_total{result}`), indexed by `BrokerResult.rawValue`.
    private let brokerResults: [CoreMetrics.Counter]
    /// Session refreshes by result (`forward_auth_refreshes_total{result}`), indexed by `RefreshResult.rawValue`.
    private let refreshResults: [CoreMetrics.Counter]
    /// Connections closed by `idle-timeout` (`reason="idle"`) or `read-header-timeout` (`reason="read_header"`).
    private let idleConnectionsClosed: CoreMetrics.Counter
    private let slowHeadConnectionsClosed: CoreMetrics.Counter

    /// - Parameter ruleNames: the configured rules in `RuleSet.definitions` order, for the `rule` label.
    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), ruleNames: [String] = []) {
        let factory = Self.factory(registry: registry)
        self.registry = registry
        self.decisions = DecisionMetrics(factory: factory, ruleNames: ruleNames)
        self.provider = ProviderMetrics(factory: factory)
        self.untrustedPrefix = CoreMetrics.Counter(label: Self.untrustedPrefixName, factory: factory)
        self.goSessions = CoreMetrics.Counter(label: Self.goSessionsName, factory: factory)
        self.refreshResults = RefreshResult.allCases.map {
            CoreMetrics.Counter(label: Self.refreshesName, dimensions: [("result", $0.label)], factory: factory)
        }
        self.brokerResults = BrokerResult.allCases.map {
            CoreMetrics.Counter(label: Self.brokerName, dimensions: [("result", $0.label)], factory: factory)
        }
        self.idleConnectionsClosed = CoreMetrics.Counter(
            label: Self.connectionsTimedOutName, dimensions: [("reason", "idle")], factory: factory)
        self.slowHeadConnectionsClosed = CoreMetrics.Counter(
            label: Self.connectionsTimedOutName, dimensions: [("reason", "read_header")], factory: factory)
        // The registry keeps the gauge; its value never changes.
        Gauge(label: Self.buildInfoName, dimensions: [("version", ForwardAuthVersion.current)], factory: factory)
            .record(1)
    }

    func record(_ result: BrokerResult) {
        brokerResults[result.rawValue].increment()
    }

    func record(_ result: RefreshResult) {
        refreshResults[result.rawValue].increment()
    }

    func connectionTimedOut(_ reason: ConnectionDeadlines.Reason) {
        switch reason {
        case .idle: idleConnectionsClosed.increment()
        case .readHeader: slowHeadConnectionsClosed.increment()
        }
    }

    /// A factory over `registry` with our histogram buckets (swift-metrics `Timer`s become Prometheus
    /// histograms in seconds).
    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            DecisionMetrics.durationName: DecisionMetrics.durationBuckets,
            ProviderMetrics.durationName: ProviderMetrics.durationBuckets,
        ]
        return factory
    }
}
