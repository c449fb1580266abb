/// What a rule decides when it matches (or, as `default-action`, when none does).
package enum RuleAction: String, Sendable, Hashable, CaseIterable {
    /// The request needs a valid session (or Bearer token) and must pass authorization.
    case auth
    /// The request passes without authentication.
    case allow
    /// The request is refused outright (403). Our extension; the Go fork knows only `auth` and `allow`.
    case deny
}
