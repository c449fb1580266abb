/// `enable-rbac`'s companions: how subjects and URL patterns are matched.
package struct RBACSettings: Sendable, Hashable {
    /// `group-claim-prefix`: put before each token group to form the Kubernetes group subject.
    package var groupClaimPrefix = "oidc:"
    /// `case-insensitive-subjects`.
    package var caseInsensitiveSubjects = false
    /// `enable-v3-url-pattern-matching`: anchored globs (`*` within a segment, `**` across).
    package var v3URLPatternMatching = false
    /// `authz-pass-through`: path patterns that skip RBAC (signed-in users only).
    package var passThrough: [String] = []

    package init() {}
}
