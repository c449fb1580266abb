import CoreMetrics
import ForwardAuth
import Hummingbird
import Prometheus

/// Gauges of what counters cannot show while there is no traffic, so alerts can fire on a quiet instance: the
/// provider's readiness and the RBAC policy's state. Set from the sources when `/metrics` is scraped (a read of
/// two snapshots), never on the request path.
struct StateGauges: Sendable {
    static let providerReadyName = "forward_auth_provider_ready"
    static let rbacLoadedName = "forward_auth_rbac_policy_loaded"
    static let rbacLastUpdateName = "forward_auth_rbac_policy_last_update_timestamp_seconds"

    private let providerReady: CoreMetrics.Gauge
    private let rbacLoaded: CoreMetrics.Gauge
    private let rbacLastUpdate: CoreMetrics.Gauge
    private let provider: any ProviderStatusSource
    /// nil when RBAC is off: the policy then counts as not loaded (0), as nothing loads it.
    private let rbacStore: RBACPolicyStore?

    init(factory: any MetricsFactory, provider: any ProviderStatusSource, rbacStore: RBACPolicyStore?) {
        providerReady = CoreMetrics.Gauge(label: Self.providerReadyName, factory: factory)
        rbacLoaded = CoreMetrics.Gauge(label: Self.rbacLoadedName, factory: factory)
        rbacLastUpdate = CoreMetrics.Gauge(label: Self.rbacLastUpdateName, factory: factory)
        self.provider = provider
        self.rbacStore = rbacStore
        // Every series exists from the start, at its "nothing loaded yet" value.
        providerReady.record(0)
        rbacLoaded.record(0)
        rbacLastUpdate.record(0)
    }

    /// Reads the sources into the gauges; called before each `/metrics` answer.
    func refresh() async {
        providerReady.record(await provider.providerStatus().ready ? 1 : 0)
        rbacLoaded.record(rbacStore?.isLoaded == true ? 1 : 0)
        rbacLastUpdate.record(rbacStore?.lastUpdatedAt ?? 0)
    }
}

/// What `/metrics` answers, on either listener: the state gauges refreshed, then every family.
struct MetricsPage: Sendable {
    let registry: PrometheusCollectorRegistry
    let state: StateGauges

    func response() async -> Response {
        await state.refresh()
        return registry.metricsResponse()
    }
}
