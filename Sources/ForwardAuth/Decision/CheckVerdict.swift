/// What the gatekeeper makes of a check: an answer, or what the engine (`DecisionEngine`) must do before there
/// is one.
package enum CheckVerdict: Sendable {
    case answer(Decision)
    /// A browser without a session, on a host this deployment serves: start a login.
    case login(LoginPlan)
    /// No session, but a Bearer token: authenticate it, then authorize with `policy` (a matching rule's lists).
    case verifyBearer(token: String, policy: AccessPolicy)
}
