import ForwardAuthWire
import ForwardAuth

/// One forwarded request between `Endpoints.begin` and `Endpoints.finish`: the engine's judgement and when the
/// request began (the decision latency the metrics record).
struct ForwardedExchange: Sendable {
    var judgement: Judgement
    let started: ContinuousClock.Instant
    /// The request's W3C trace context, bound while its pending work runs and its lines are logged.
    var trace: TraceContext? = nil

    /// Whether `finish` may render now: nothing left that needs the provider or an actor.
    var isFinal: Bool { judgement.decision != nil }

    /// Whether the work left needs the request's body: only the broker's form POST.
    var awaitsBody: Bool {
        if case .pending(.completeBrokeredLogin) = judgement.next { true } else { false }
    }
}
