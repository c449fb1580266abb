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
