import CoreMetrics
import ForwardAuth
import ForwardAuthWire
import Logging

/// The server's side of `DecisionEngine`: bytes in, answers out, logs and metrics. The engine decides.
///
/// - `begin` judges synchronously (`DecisionEngine.judge`); a check is usually final there.
/// - `complete` resumes what is pending (`DecisionEngine.resume`): the callback, logout, a new Bearer token.
/// - `finish` logs refusals, records the metrics and renders.
///
/// The Hummingbird responder runs all three; the fast lane (`CheckFastPathHandler`) runs `begin` and `finish` for
/// the exchanges `begin` made final, and hands the others to Hummingbird, which judges them again.
///
/// A class, so that every connection shares one: as a struct (1.6 KB inline), each connection's
/// `CheckFastPathHandler` and the `CheckingHTTP1Channel` value in its Hummingbird task held a copy, 2.6 KiB of every
/// open connection's 15 KiB (issue 20, docs/benchmarks.md "Memory: where it goes").
final class Endpoints: Sendable {
    let engine: DecisionEngine
    let clock: @Sendable () -> Int64
    let logger: Logger
    let metrics: ForwardAuthMetrics
    /// Misconfigurations that every request would report: said at most once a minute.
    let untrustedPrefixWarning = OncePerInterval()
    let withheldHeadersWarning = OncePerInterval()

    init(engine: DecisionEngine, clock: @escaping @Sendable () -> Int64, logger: Logger, metrics: ForwardAuthMetrics) {
        self.engine = engine
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    /// Judges a forwarded request as far as that needs no waiting.
    ///
    /// - Parameters:
    ///   - method: the subrequest's own method.
    ///   - target: the subrequest's request target (path and query).
    func begin(method: String, target: String, headers: some RequestHeaders) -> ForwardedExchange {
        let started = ContinuousClock.now
        // The judgement goes straight into the exchange and is read there: a second copy of it (its answer's
        // headers and cookies) would cost every check a retain and release per field.
        var exchange = ForwardedExchange(
            judgement: engine.judge(method: method, target: target, headers: headers, now: clock()), started: started)
        if exchange.judgement.ignoredPrefix { noteIgnoredPrefix() }
        // The trace context is read only for what still waits for the provider or gets a log line: the checks
        // answered at once (200, 401, a login's 302, which the engine seals its trace into) never look for it.
        if Self.mayUseTrace(exchange.judgement.next) { exchange.trace = TraceContext(headers: headers) }
        return exchange
    }

    /// Whether the work still to do or `finish`'s log line may use the trace context. Matched without binding
    /// the answer's payload, so nothing is copied on the check's path.
    private static func mayUseTrace(_ next: Judgement.Next) -> Bool {
        switch next {
        case .answer(.allow), .answer(.redirect), .answer(.unauthenticated): false
        case .answer, .pending: true
        }
    }

    private func noteIgnoredPrefix() {
        metrics.untrustedPrefix.increment()
        if untrustedPrefixWarning.isDue(now: clock()) {
            logger.warning(
                "X-Forwarded-Prefix ignored: set trust-forwarded-prefix (TRUST_FORWARDED_PREFIX) only when the proxy removes a client's X-Forwarded-Prefix (Traefik >= v2.11.14 / v3.2.1)"
            )
        }
    }

    /// Finishes what `begin` left pending; waits for the provider or the OIDC client's actor.
    /// - Parameter body: the request's body, read only for the broker callback (nil: it was too large).
    func complete(_ exchange: ForwardedExchange, body: [UInt8]? = nil) async -> ForwardedExchange {
        var exchange = exchange
        if let trace = exchange.trace {
            exchange.judgement = await TraceContext.$current.withValue(trace) {
                await engine.resume(exchange.judgement, body: body)
            }
        } else {
            exchange.judgement = await engine.resume(exchange.judgement, body: body)
        }
        return exchange
    }

    /// Logs a refusal (never on an allowed request), records the metrics and renders the answer.
    func finish(_ exchange: ForwardedExchange) -> Answer {
        let judgement = exchange.judgement
        let decision = judgement.decision ?? .unavailable(reason: "the request was not completed")
        if let request = judgement.request {
            // Bound only when there is one: binding a task-local, even to nil, allocates on every check.
            if let trace = exchange.trace {
                TraceContext.$current.withValue(trace) { log(decision, request) }
            } else {
                log(decision, request)
            }
        }
        let answer = decision.answer(client: judgement.client, accept: judgement.accept)
        let outcome = DecisionOutcome(decision, startedLogin: judgement.startedLogin)
        let route = judgement.route
        metrics.decisions.record(outcome, route: route, duration: ContinuousClock.now - exchange.started)
        if route == .check || route == .checkWithoutRedirect { metrics.decisions.record(outcome, rule: judgement.rule) }
        if judgement.session == .goCookie { metrics.goSessions.increment() }
        if let broker = judgement.broker { metrics.record(broker) }
        if let refresh = judgement.refresh { metrics.record(refresh) }
        if route == .callback { metrics.decisions.record(LoginResult(callback: decision), claim: decision.tokenReason) }
        return answer
    }

    private func log(_ decision: Decision, _ request: Judgement.Request) {
        let forwarded = request.forwarded
        switch decision {
        case .forbidden(let reason, let user):
            logger.notice(
                "denied",
                metadata: [
                    "user": "\(user ?? "-")", "method": "\(forwarded.method)", "host": "\(forwarded.host)",
                    "path": "\(forwarded.path)", "reason": "\(reason)",
                ])
        case .unavailable(let reason):
            logger.warning(
                "cannot answer yet",
                metadata: ["method": "\(forwarded.method)", "host": "\(forwarded.host)", "reason": "\(reason)"])
        case .allow(let headers)
        where !headers.isEmpty && !forwarded.isAuthSubrequest
            && engine.gatekeeper.identityHeaders.hasUpstreamOnlyHeaders:
            if withheldHeadersWarning.isDue(now: request.now) {
                logger.warning(
                    "upstream-only identity headers withheld: the request was not a proxy's auth subrequest (request-line path exactly / with X-Forwarded-Uri); point the proxy's auth address at /"
                )
            }
        default:
            break
        }
    }
}
