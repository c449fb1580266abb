/// The part of a Kubernetes object's `metadata` that RBAC needs: its name (cluster-scoped objects have no
/// namespace) and the server's `resourceVersion`, which a watch resumes from.
package struct RBACObjectMeta: Codable, Sendable, Hashable {
    package var name: String
    package var resourceVersion: String?

    package init(name: String, resourceVersion: String? = nil) {
        self.name = name
        self.resourceVersion = resourceVersion
    }
}
