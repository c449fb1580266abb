/// What RBAC says about one request.
package enum RBACVerdict: Sendable, Hashable {
    /// A binding grants a role with a matching rule.
    case allowed(binding: String, role: String)
    /// The path matches `authz-pass-through`.
    case passThrough
    /// No bound role has a matching rule; `reason` is for logs and the 403 page (no secrets).
    case denied(reason: String)
    /// The policy has not been loaded yet (first list or file read pending): fail closed, 503.
    case notLoaded
}
