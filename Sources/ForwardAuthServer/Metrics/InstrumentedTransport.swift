import ForwardAuthOIDC

/// Wraps the provider transport to count and time every request by endpoint, and count failures by kind.
///
/// A decorator rather than code in `AsyncHTTPClientTransport`, so a transport injected by tests is measured
/// the same way.
struct InstrumentedTransport: HTTPTransport {
    let base: any HTTPTransport
    let metrics: ProviderMetrics

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let started = ContinuousClock.now
        let response: OutboundResponse
        do {
            response = try await base.send(request)
        } catch {
            metrics.record(
                request.endpoint, duration: ContinuousClock.now - started, error: ProviderRequestError(error))
            throw error
        }
        metrics.record(
            request.endpoint, duration: ContinuousClock.now - started,
            error: ProviderRequestError(status: response.status))
        return response
    }
}
