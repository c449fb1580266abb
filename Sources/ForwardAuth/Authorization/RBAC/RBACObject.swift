/// One RBAC object forward-auth keeps: a ClusterRole or a ClusterRoleBinding.
package enum RBACObject: Sendable, Hashable {
    case clusterRole(ClusterRole)
    case clusterRoleBinding(ClusterRoleBinding)

    package var name: String {
        switch self {
        case .clusterRole(let role): role.name
        case .clusterRoleBinding(let binding): binding.name
        }
    }
}

/// A change to one object, as a Kubernetes watch reports it (`ADDED`, `MODIFIED`, `DELETED`).
package enum RBACObjectEvent: Sendable, Hashable {
    case added(RBACObject)
    case modified(RBACObject)
    case deleted(RBACObject)
}
