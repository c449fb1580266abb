/// The second half of every judgement, after authentication: may this principal make this request? The
/// allow-lists, then Kubernetes RBAC; the answer is 200 with identity headers, 403, or 503 while something it
/// needs (the RBAC policy, the service-account token) is not loaded yet.
///
/// The same for a session cookie and a Bearer token: how someone proved who they are never widens what they
/// may do.
package struct Authorizer: Sendable {
    package let access: AccessPolicy
    /// Kubernetes RBAC (`enable-rbac`), judged after the allow-lists; nil when off.
    package let rbac: RBACAuthorizer?
    package let identityHeaders: IdentityHeaders

    package init(access: AccessPolicy, rbac: RBACAuthorizer?, identityHeaders: IdentityHeaders) {
        self.access = access
        self.rbac = rbac
        self.identityHeaders = identityHeaders
    }

    /// - Parameter policy: the allow-lists for this request: `access`, or a matching rule's own.
    package func authorize(_ principal: Principal, request: ForwardedRequest, policy: AccessPolicy) -> Decision {
        // Refused at the callback and for Bearer tokens; a session sealed before that rule still stops here.
        if KubernetesNames.isReservedUser(principal.email) {
            return .forbidden(reason: "the email holds ':', which Kubernetes reserves", user: principal.email)
        }
        if case .denied(let reason) = policy.evaluate(email: principal.email, groups: principal.groups) {
            return .forbidden(reason: reason, user: principal.email)
        }
        if let rbac {
            switch rbac.authorize(
                user: principal.email, groups: principal.groups, method: request.method,
                scheme: request.scheme.rawValue, authority: request.authority.description, path: request.path)
            {
            case .allowed, .passThrough:
                break
            case .denied(let reason):
                return .forbidden(reason: reason, user: principal.email)
            case .notLoaded:
                return .unavailable(reason: "the RBAC policy has not been loaded yet")
            }
        }
        do {
            return .allow(
                headers: try identityHeaders.headers(for: principal, upstreamOnly: request.isAuthSubrequest))
        } catch {
            return .unavailable(reason: "the service-account token for impersonation has not been read")
        }
    }
}
