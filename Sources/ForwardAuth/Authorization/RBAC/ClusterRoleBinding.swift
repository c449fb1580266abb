import ForwardAuthOIDC

/// A Kubernetes ClusterRoleBinding (`rbac.authorization.k8s.io/v1`): grants the role named by `roleRef` to its
/// subjects. Only a `roleRef` of kind `ClusterRole` counts here.
package struct ClusterRoleBinding: Codable, Sendable, Hashable {
    package var metadata: RBACObjectMeta
    package var subjects: [RBACSubject]
    package var roleRef: RoleRef

    package var name: String { metadata.name }

    package init(name: String, subjects: [RBACSubject], roleRef: RoleRef, resourceVersion: String? = nil) {
        self.metadata = RBACObjectMeta(name: name, resourceVersion: resourceVersion)
        self.subjects = subjects
        self.roleRef = roleRef
    }

    private enum CodingKeys: String, CodingKey {
        case metadata, subjects, roleRef
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(RBACObjectMeta.self, forKey: .metadata)
        subjects = try container.decodeIfPresent([RBACSubject].self, forKey: .subjects) ?? []
        roleRef = try container.decode(RoleRef.self, forKey: .roleRef)
    }
}

/// The role a binding grants.
package struct RoleRef: Codable, Sendable, Hashable {
    package var apiGroup: String?
    /// `ClusterRole` (anything else, e.g. `Role`, grants nothing here).
    package var kind: String
    package var name: String

    package init(kind: String = "ClusterRole", name: String, apiGroup: String? = "rbac.authorization.k8s.io") {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}
