import ForwardAuth
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request: the probes, and the forward-auth endpoints (check, callback, logout, nginx's).
///
/// No router: a subrequest's own path means nothing (Traefik may call any path), so routing is the domain's
/// `Route` over the forwarded and request-line paths. This adapter only translates in and out.
struct ForwardAuthResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let gatekeeper: Gatekeeper
    let loginFlow: LoginFlow
    let providerStatus: any ProviderStatusSource
    let random: any RandomSource
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Built once from `url-path`.
    let paths: Route.Paths
    let metrics: ForwardAuthMetrics
    /// Whether `/metrics` is answered here (to requests that are not forwarded); false when it has a listener
    /// of its own (`metrics-address`).
    let servesMetrics: Bool

    func respond(to request: Request, context: Context) async throws -> Response {
        let headers = request.headers
        let target = request.uri.string
        let requestLinePath = Route.path(of: target)
        // Probes and metrics answer only requests that are not forwarded: a protected app's own /healthz or
        // /metrics is still checked, whoever asks for it.
        if headers[.xForwardedHost] == nil {
            if requestLinePath == "/healthz" { return Self.text(.ok, "ok\n") }
            if requestLinePath == "/readyz" { return await readiness(query: request.uri.query) }
            if servesMetrics, requestLinePath == "/metrics" { return metrics.registry.metricsResponse() }
        }
        let started = ContinuousClock.now
        let route = Route(
            forwardedPath: headers[.xForwardedUri].map(Route.path(of:)), requestLinePath: requestLinePath,
            paths: paths)
        let accept = headers[.accept]
        let client = ClientKind(accept: accept)
        let (decision, startedLogin, rule) = await decide(
            route, headers: headers, method: request.method, target: target, client: client)
        let response = decision.response(client: client, accept: accept)
        let outcome = DecisionOutcome(decision, startedLogin: startedLogin)
        metrics.decisions.record(outcome, route: route, duration: ContinuousClock.now - started)
        if route == .check || route == .checkWithoutRedirect { metrics.decisions.record(outcome, rule: rule) }
        if route == .callback { metrics.decisions.record(LoginResult(callback: decision)) }
        return response
    }

    /// The decision for a forwarded request, and whether it is the answer to a login the request needed (a
    /// redirect to the provider, not a redirect of another kind).
    private func decide(
        _ route: Route, headers: HTTPFields, method: HTTPRequest.Method, target: String, client: ClientKind
    ) async -> (Decision, startedLogin: Bool, rule: Int?) {
        let forwarded: ForwardedRequest
        do {
            forwarded = try ForwardedRequest(
                headers: ForwardedHeaders(fields: headers), method: method.rawValue, uri: target)
        } catch {
            logger.info("bad forwarded request", metadata: ["reason": "\(error)"])
            return (.badRequest(reason: error.description, tooLarge: error.isTooLarge), false, nil)
        }
        guard let cookies = CookieHeader(headers[values: .cookie]) else {
            logger.info("bad forwarded request", metadata: ["reason": "too many or too large cookies"])
            return (.badRequest(reason: "the Cookie header is too large", tooLarge: true), false, nil)
        }
        let now = clock()
        var decision: Decision
        var startedLogin = false
        var rule: Int?
        switch route {
        case .check:
            (decision, rule) = gatekeeper.judge(forwarded, cookies: cookies, client: client, now: now)
            if case .login(let plan) = decision {
                decision = await loginFlow.start(plan, cookies: cookies, now: now, random: random, logger: logger)
                startedLogin = true
            }
        case .checkWithoutRedirect:
            (decision, rule) = gatekeeper.judge(forwarded, cookies: cookies, client: .api, now: now)
        case .callback:
            decision = await loginFlow.complete(forwarded, cookies: cookies, now: now, random: random, logger: logger)
        case .logout:
            let session: Session? =
                if case .valid(let session) = gatekeeper.sessions.session(from: cookies, now: now) { session } else {
                    nil
                }
            decision = await loginFlow.logout(forwarded, cookies: cookies, session: session, logger: logger)
        case .startLogin:
            decision = await loginFlow.startFromLink(
                forwarded, cookies: cookies, now: now, random: random, logger: logger)
            startedLogin = true
        }
        if case .verifyBearer(let token, let policy) = decision {
            decision = await loginFlow.verifyBearer(token, for: forwarded, policy: policy, now: now, logger: logger)
        }
        if case .forbidden(let reason, let user) = decision {
            logger.notice(
                "denied",
                metadata: [
                    "user": "\(user ?? "-")", "method": "\(forwarded.method)", "host": "\(forwarded.host)",
                    "path": "\(forwarded.path)", "reason": "\(reason)",
                ])
        }
        if case .unavailable(let reason) = decision {
            logger.warning(
                "cannot answer yet",
                metadata: ["method": "\(forwarded.method)", "host": "\(forwarded.host)", "reason": "\(reason)"])
        }
        return (decision, startedLogin, rule)
    }

    /// 200 when sessions can be judged (configuration and cookie keys are loaded: always, once we listen), so
    /// pods restarted during a provider outage still pass valid sessions. The provider's state is in the body.
    /// `?require=provider` makes a provider that has not loaded discovery and keys a 503, for those who want
    /// a pod to wait for it.
    private func readiness(query: String?) async -> Response {
        let status = await providerStatus.providerStatus()
        let strict = query?.contains("require=provider") == true
        let body = """
            {"ready":\(!strict || status.ready),"provider":{"ready":\(status.ready),"detail":"\(APIError.jsonEscaped(status.detail))"}}

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

/// The identity provider's state as `/readyz` reports it.
public protocol ProviderStatusSource: Sendable {
    func providerStatus() async -> (ready: Bool, detail: String)
}

extension HTTPField.Name {
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedUri = Self("X-Forwarded-Uri")!
}
