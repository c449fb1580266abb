import CoreMetrics
import ForwardAuthOIDC
import Metrics

/// Requests to the identity provider by endpoint (count, errors, latency), JWKS refreshes by result, and ID
/// tokens refused by reason.
///
/// Fed by `InstrumentedTransport` (every request) and, as the OIDC client's observer, by each JWKS fetch and
/// each refused token.
struct ProviderMetrics: Sendable {
    static let requestsName = "forward_auth_idp_requests_total"
    static let errorsName = "forward_auth_idp_request_errors_total"
    static let durationName = "forward_auth_idp_request_duration_seconds"
    static let keyRefreshesName = "forward_auth_jwks_refreshes_total"
    static let tokenFailuresName = "forward_auth_token_verification_failures_total"
    /// A provider in the cluster answers in milliseconds; the transport gives up after 10 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Indexed by `endpoint.metricIndex`.
    private let requests: [Counter]
    private let durations: [Timer]
    /// Indexed by `endpoint.metricIndex * ProviderRequestError.count + error.rawValue`.
    private let errors: [Counter]
    /// Indexed by `KeyRefreshResult.rawValue`.
    private let keyRefreshes: [Counter]
    /// Indexed by `IDTokenError.Reason.rawValue`.
    private let tokenFailures: [Counter]

    init(factory: any MetricsFactory) {
        let endpoints = ProviderEndpoint.allCases
        requests = endpoints.map {
            Counter(label: Self.requestsName, dimensions: [("endpoint", $0.rawValue)], factory: factory)
        }
        durations = endpoints.map {
            Timer(label: Self.durationName, dimensions: [("endpoint", $0.rawValue)], factory: factory)
        }
        var errors: [Counter] = []
        for endpoint in endpoints {
            for error in ProviderRequestError.allCases {
                errors.append(
                    Counter(
                        label: Self.errorsName, dimensions: [("endpoint", endpoint.rawValue), ("error", error.label)],
                        factory: factory))
            }
        }
        self.errors = errors
        keyRefreshes = KeyRefreshResult.allCases.map {
            Counter(label: Self.keyRefreshesName, dimensions: [("result", $0.label)], factory: factory)
        }
        tokenFailures = IDTokenError.Reason.allCases.map {
            Counter(label: Self.tokenFailuresName, dimensions: [("reason", $0.label)], factory: factory)
        }
    }

    /// Counts one request to the provider; `error` is nil for a 2xx answer.
    func record(_ endpoint: ProviderEndpoint, duration: Duration, error: ProviderRequestError?) {
        let index = endpoint.metricIndex
        requests[index].increment()
        durations[index].record(duration: duration)
        if let error { errors[index &* ProviderRequestError.count &+ error.rawValue].increment() }
    }
}

extension ProviderMetrics: OIDCClientObserver {
    func keySetFetched(error: OIDCError?) {
        keyRefreshes[KeyRefreshResult(error).rawValue].increment()
    }

    func idTokenRefused(_ reason: IDTokenError.Reason) {
        tokenFailures[reason.rawValue].increment()
    }
}

extension ProviderEndpoint {
    /// The position in `ProviderEndpoint.allCases`, without building that array per request.
    var metricIndex: Int {
        switch self {
        case .discovery: 0
        case .jwks: 1
        case .token: 2
        case .userinfo: 3
        case .other: 4
        }
    }
}
