/// A subject of a binding (Kubernetes `rbac/v1` `Subject`).
///
/// Kinds `User` and `Group` are matched against the signed-in user; `ServiceAccount` (and anything else)
/// never matches a browser user.
public struct RBACSubject: Codable, Sendable, Hashable {
    public var kind: String
    public var name: String
    public var apiGroup: String?
    public var namespace: String?

    public init(kind: String, name: String, apiGroup: String? = nil, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.apiGroup = apiGroup
        self.namespace = namespace
    }

    public static func user(_ name: String) -> RBACSubject {
        RBACSubject(kind: "User", name: name, apiGroup: "rbac.authorization.k8s.io")
    }

    public static func group(_ name: String) -> RBACSubject {
        RBACSubject(kind: "Group", name: name, apiGroup: "rbac.authorization.k8s.io")
    }
}
