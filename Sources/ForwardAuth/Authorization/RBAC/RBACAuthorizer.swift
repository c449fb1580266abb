/// Kubernetes RBAC, evaluated locally from ClusterRoles and ClusterRoleBindings held in memory.
///
/// INTERFACE PLACEHOLDER: the RBAC work (matcher, store, file loader, list/watch client) replaces this file.
/// The signatures below are the contract the gatekeeper codes against; until then it denies everything.

/// `enable-rbac`'s companions: how subjects and URL patterns are matched.
public struct RBACSettings: Sendable, Hashable {
    /// `group-claim-prefix`: put before each token group to form the Kubernetes group subject.
    public var groupClaimPrefix = "oidc:"
    /// `case-insensitive-subjects`.
    public var caseInsensitiveSubjects = false
    /// `enable-v3-url-pattern-matching`: anchored globs (`*` within a segment, `**` across).
    public var v3URLPatternMatching = false
    /// `authz-pass-through`: path patterns that skip RBAC (signed-in users only).
    public var passThrough: [String] = []

    public init() {}
}

/// What RBAC says about one request.
public enum RBACVerdict: Sendable, Hashable {
    /// A binding grants a role with a matching rule.
    case allowed(binding: String, role: String)
    /// The path matches `authz-pass-through`.
    case passThrough
    /// No bound role has a matching rule; `reason` is for logs and the 403 page (no secrets).
    case denied(reason: String)
    /// The policy has not been loaded yet (first list or file read pending): fail closed, 503.
    case notLoaded
}

/// The roles and bindings currently in force; written by the loader (file or list/watch), read per request.
public final class RBACPolicyStore: Sendable {
    public init() {}
}

/// Answers "may this user do this?" from the store's current snapshot. No I/O, no locks held across calls.
public final class RBACAuthorizer: Sendable {
    public let settings: RBACSettings
    public let store: RBACPolicyStore

    public init(settings: RBACSettings, store: RBACPolicyStore) {
        self.settings = settings
        self.store = store
    }

    /// - Parameters:
    ///   - user: the email (subject kind User).
    ///   - groups: the token's groups, without prefix; `system:authenticated` and the prefix are added here.
    ///   - method: upper-case HTTP method; verbs are matched against it lower-cased.
    ///   - scheme: `http` or `https`.
    ///   - authority: `host[:port]` as forwarded, lower-case host.
    ///   - path: normalized path (percent-decoded once, dot-segments resolved, prefix included, no query).
    public func authorize(
        user: String, groups: [String], method: String, scheme: String, authority: String, path: String
    ) -> RBACVerdict {
        .notLoaded
    }

    /// The token group names (without `group-claim-prefix`) that some ClusterRoleBinding names as a Group
    /// subject, lower-cased when `caseInsensitiveSubjects`: what `groups-filter auto` keeps.
    public func boundGroups() -> Set<String> {
        []
    }
}
