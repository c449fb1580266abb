import ForwardAuth
import ForwardAuthWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request: the probes, and the forward-auth endpoints (check, callback, logout, nginx's).
///
/// No router: a subrequest's own path means nothing (Traefik may call any path), so routing is the domain's
/// `Route` over the forwarded and request-line paths (`Endpoints`). This adapter only translates in and out.
/// Most checks never reach it: the fast lane (`CheckFastPathHandler`) answers them from the bytes.
struct ForwardAuthResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let endpoints: Endpoints
    let providerStatus: any ProviderStatusSource
    /// `/metrics` when it is answered here (to requests that are not forwarded); nil when it has a listener of
    /// its own (`metrics-address`).
    let metricsPage: MetricsPage?
    /// How long the broker callback's body may take to arrive (`read-header-timeout`): while a request is being
    /// answered the connection's own deadlines wait, so this read needs its own.
    var bodyTimeout: Duration = .seconds(5)

    func respond(to request: Request, context: Context) async throws -> Response {
        let headers = request.headers
        let target = request.uri.string
        // Probes and metrics answer only requests that are not forwarded: a protected app's own /healthz or
        // /metrics is still checked, whoever asks for it.
        if headers[.xForwardedHost] == nil {
            let requestLinePath = Route.path(of: target)
            if requestLinePath == "/healthz" { return Self.text(.ok, "ok\n") }
            if requestLinePath == "/readyz" { return await readiness(query: request.uri.query) }
            if let metricsPage, requestLinePath == "/metrics" { return await metricsPage.response() }
        }
        var exchange = endpoints.begin(
            method: request.method.rawValue, target: target,
            headers: ForwardedHeaders(fields: headers, authority: request.head.authority))
        if !exchange.isFinal {
            // Only the broker's form POST has a body worth reading; nothing else reads one.
            var body: [UInt8]?
            if exchange.awaitsBody { body = await Self.collect(request.body, within: bodyTimeout) }
            exchange = await endpoints.complete(exchange, body: body)
        }
        return Response(endpoints.finish(exchange))
    }

    /// The body, at most `SSOBroker.maximumBodyBytes` within `timeout`; nil when it is larger, slower or cut off
    /// (a body that never comes must not hold the connection: once answered, the connection's read deadline closes
    /// it).
    static func collect(_ body: RequestBody, within timeout: Duration) async -> [UInt8]? {
        await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                guard let buffer = try? await body.collect(upTo: SSOBroker.maximumBodyBytes) else { return nil }
                return Array(buffer.readableBytesView)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// 200 when sessions can be judged (configuration and cookie keys are loaded: always, once we listen), so
    /// pods restarted during a provider outage still pass valid sessions. The provider's state is in the body.
    /// `?require=provider` makes a provider that has not loaded discovery and keys a 503, for those who want
    /// a pod to wait for it.
    private func readiness(query: String?) async -> Response {
        let status = await providerStatus.providerStatus()
        let strict = query?.contains("require=provider") == true
        let body = """
            {"ready":\(!strict || status.ready),"provider":{"ready":\(status.ready),"detail":"\(TextEscaping.json(status.detail))"}}

            """
        return Response(
            status: strict && !status.ready ? .serviceUnavailable : .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPField.Name {
    static let xForwardedHost = Self("X-Forwarded-Host")!
}
