import ForwardAuth

/// What forward-auth answered a request, as the `outcome` label of `forward_auth_decisions_total` counts it.
enum DecisionOutcome: Int, Sendable, CaseIterable {
    /// 200: let through.
    case allow
    /// A redirect to the identity provider, starting a login.
    case loginRedirect
    /// Any other redirect: back to the app after a login, after a logout, to the auth host.
    case redirect
    /// 401: no valid session or Bearer token (API clients, nginx).
    case unauthenticated
    /// 403: identified but not allowed, denied by a rule, or a host not served here.
    case forbidden
    /// 400/431: malformed or oversized forwarded headers.
    case badRequest
    /// A page for a person: a failed or refused login, sign-out, the provider unreachable at login start.
    case page
    /// 503: the answer needs what is not loaded yet (the RBAC policy, the service-account token).
    case unavailable

    /// `CaseIterable.allCases` builds an array on each call; the hot path uses this instead.
    static let count = 8

    var label: String {
        switch self {
        case .allow: "allow"
        case .loginRedirect: "login_redirect"
        case .redirect: "redirect"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .badRequest: "bad_request"
        case .page: "page"
        case .unavailable: "unavailable"
        }
    }

    /// - Parameter startedLogin: `decision` is the login flow's answer to a request that needed a login.
    init(_ decision: Decision, startedLogin: Bool) {
        switch decision {
        case .allow: self = .allow
        case .redirect, .navigate: self = startedLogin ? .loginRedirect : .redirect
        case .unauthenticated: self = .unauthenticated
        case .forbidden: self = .forbidden
        case .badRequest: self = .badRequest
        case .loginFailed, .signedOut, .brokerForm: self = .page
        case .unavailable: self = .unavailable
        }
    }
}
