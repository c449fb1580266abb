import Foundation

@testable import ForwardAuth

/// Builds policies and runs checks for the RBAC tests.
enum RBACFixture {
    static func role(_ name: String, verbs: [String] = ["get"], urls: [String]) -> ClusterRole {
        ClusterRole(name: name, rules: [PolicyRule(verbs: verbs, nonResourceURLs: urls)])
    }

    static func binding(_ name: String, role: String, _ subjects: RBACSubject..., kind: String = "ClusterRole")
        -> ClusterRoleBinding
    {
        ClusterRoleBinding(name: name, subjects: subjects, roleRef: RoleRef(kind: kind, name: role))
    }

    static func authorizer(
        roles: [ClusterRole], bindings: [ClusterRoleBinding], settings: RBACSettings = RBACSettings()
    ) -> RBACAuthorizer {
        let store = RBACPolicyStore(settings: settings)
        store.replaceAll(roles: roles, bindings: bindings)
        return RBACAuthorizer(store: store)
    }

    /// Checks `method url` (an absolute `scheme://authority/path`).
    static func check(
        _ authorizer: RBACAuthorizer, user: String = "alice@example.com", groups: [String] = [],
        method: String = "GET", _ url: String
    ) -> RBACVerdict {
        let (scheme, rest) = split(url, "://")
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        return authorizer.authorize(
            user: user, groups: groups, method: method, scheme: scheme, authority: String(rest[..<slash]), path: path)
    }

    static func isAllowed(_ verdict: RBACVerdict) -> Bool {
        if case .allowed = verdict { return true }
        return false
    }

    /// One role holding `urls` for `verbs`, bound to everyone signed in, checked with `method url`.
    static func allows(
        urls: [String], verbs: [String] = ["get"], v3: Bool = false, method: String = "GET", _ url: String
    ) -> Bool {
        var settings = RBACSettings()
        settings.v3URLPatternMatching = v3
        let authorizer = authorizer(
            roles: [role("r", verbs: verbs, urls: urls)],
            bindings: [binding("b", role: "r", .group("system:authenticated"))], settings: settings)
        return isAllowed(check(authorizer, method: method, url))
    }

    private static func split(_ text: String, _ separator: String) -> (String, Substring) {
        guard let range = text.range(of: separator) else { return ("https", Substring(text)) }
        return (String(text[..<range.lowerBound]), text[range.upperBound...])
    }
}
