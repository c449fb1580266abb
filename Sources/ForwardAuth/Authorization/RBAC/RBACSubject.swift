/// A subject of a binding (Kubernetes `rbac/v1` `Subject`).
///
/// Kinds `User` and `Group` are matched against the signed-in user; `ServiceAccount` (and anything else)
/// never matches a browser user.
package struct RBACSubject: Codable, Sendable, Hashable {
    package var kind: String
    package var name: String
    package var apiGroup: String?
    package var namespace: String?

    package init(kind: String, name: String, apiGroup: String? = nil, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.apiGroup = apiGroup
        self.namespace = namespace
    }

    package static func user(_ name: String) -> RBACSubject {
        RBACSubject(kind: "User", name: name, apiGroup: "rbac.authorization.k8s.io")
    }

    package static func group(_ name: String) -> RBACSubject {
        RBACSubject(kind: "Group", name: name, apiGroup: "rbac.authorization.k8s.io")
    }
}
