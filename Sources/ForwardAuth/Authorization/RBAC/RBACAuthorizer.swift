import ForwardAuthOIDC

/// Kubernetes RBAC, evaluated locally from the ClusterRoles and ClusterRoleBindings held in an `RBACPolicyStore`,
/// as the Go fork (mesosphere/traefik-forward-auth) does, not by SubjectAccessReview.
///
/// The user (kind `User`) is the email; the groups (kind `Group`) are `system:authenticated` and
/// `group-claim-prefix` + each token group. A binding whose `roleRef` is a ClusterRole grants that role's rules;
/// a rule allows when one of its verbs is the lower-cased HTTP method (or `*`) and one of its `nonResourceURLs`
/// matches (see `URLPattern`). Pass-through paths skip RBAC.
///
/// A check takes no lock but the store's pointer swap, does no I/O and does not log; it allocates only for a
/// `~REGEX` entry, for names to case-fold, and to word a denial.
package final class RBACAuthorizer: Sendable {
    package let store: RBACPolicyStore
    /// The store's: the policy it compiles and the pass-through paths here follow the same settings.
    package var settings: RBACSettings { store.settings }
    private let passThrough: [URLPattern]
    /// Pass-through patterns that could not be compiled (empty or too long); the caller logs them.
    package let problems: [String]

    package init(store: RBACPolicyStore) {
        self.store = store
        let settings = store.settings
        var patterns: [URLPattern] = []
        var problems: [String] = []
        for pattern in settings.passThrough {
            do throws(URLPattern.Failure) {
                patterns.append(try URLPattern.passThrough(pattern, v3: settings.v3URLPatternMatching))
            } catch {
                problems.append("authz-pass-through \"\(pattern)\" skipped: \(error.message)")
            }
        }
        self.passThrough = patterns
        self.problems = problems
    }

    /// - Parameters:
    ///   - user: the email (subject kind User).
    ///   - groups: the token's groups, without prefix; `system:authenticated` and the prefix are added here.
    ///   - method: upper-case HTTP method; verbs are matched against it lower-cased.
    ///   - scheme: `http` or `https`.
    ///   - authority: `host[:port]` as forwarded, lower-case host.
    ///   - path: normalized path (percent-decoded once, dot-segments resolved, prefix included, no query).
    package func authorize(
        user: String, groups: [String], method: String, scheme: String, authority: String, path: String
    ) -> RBACVerdict {
        if passThrough.contains(where: { $0.matches(path: path) }) { return .passThrough }
        guard let policy = store.policy else { return .notLoaded }
        var request = RBACRequestTarget(scheme: scheme, authority: authority, path: path)
        var search = Search()
        if let grants = policy.userGrants[RBACPolicy.key(user, policy.options)],
            let verdict = search.first(of: grants, in: policy, method: method, &request)
        {
            return verdict
        }
        if let verdict = search.first(of: policy.authenticatedGrants, in: policy, method: method, &request) {
            return verdict
        }
        for group in groups where !KubernetesNames.isReservedGroup(group, prefix: settings.groupClaimPrefix) {
            if let grants = policy.groupGrants[RBACPolicy.key(group, policy.options)],
                let verdict = search.first(of: grants, in: policy, method: method, &request)
            {
                return verdict
            }
        }
        return .denied(reason: search.denial(method: method, &request))
    }

    /// The walk over one request's grants, remembering enough to say why nothing allowed it.
    private struct Search {
        var sawGrant = false
        var missing: (binding: String, role: String)?

        mutating func first(
            of grants: [Int], in policy: RBACPolicy, method: String, _ request: inout RBACRequestTarget
        ) -> RBACVerdict? {
            for index in grants {
                let grant = policy.grants[index]
                sawGrant = true
                guard let roleIndex = grant.role else {
                    if missing == nil { missing = (grant.binding, grant.roleName) }
                    continue
                }
                let role = policy.roles[roleIndex]
                if role.rules.contains(where: { $0.allows(method: method, &request) }) {
                    return .allowed(binding: grant.binding, role: role.name)
                }
            }
            return nil
        }

        func denial(method: String, _ request: inout RBACRequestTarget) -> String {
            guard sawGrant else { return "no ClusterRoleBinding binds this user or their groups" }
            var url = request.url()
            if url.utf8.count > 200 { url = String(url.prefix(200)) + "…" }
            var reason = "no bound ClusterRole allows \(method.lowercased()) on \(url)"
            if let missing {
                reason += "; ClusterRoleBinding \"\(missing.binding)\" refers to a missing ClusterRole "
                reason += "\"\(missing.role)\""
            }
            return reason
        }
    }

    /// The token group names (without `group-claim-prefix`) that some ClusterRoleBinding names as a Group
    /// subject, lower-cased when `caseInsensitiveSubjects`: what `groups-filter auto` keeps.
    package func boundGroups() -> Set<String> {
        guard let policy = store.policy else { return [] }
        return Set(policy.groupGrants.keys)
    }
}
