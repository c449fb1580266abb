/// The part of a Kubernetes object's `metadata` that RBAC needs: its name (cluster-scoped objects have no
/// namespace) and the server's `resourceVersion`, which a watch resumes from.
public struct RBACObjectMeta: Codable, Sendable, Hashable {
    public var name: String
    public var resourceVersion: String?

    public init(name: String, resourceVersion: String? = nil) {
        self.name = name
        self.resourceVersion = resourceVersion
    }
}
