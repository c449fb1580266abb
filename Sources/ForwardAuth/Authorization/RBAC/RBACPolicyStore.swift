import Foundation
import Synchronization

/// The ClusterRoles and ClusterRoleBindings in force: written by a loader (`--rbac-file` or the Kubernetes
/// list/watch), read by `RBACAuthorizer` on every check.
///
/// Objects are kept by name. Every change compiles a new immutable `RBACPolicy` for the store's settings while
/// holding only the writers' lock, then swaps the reference readers use under a lock held for a pointer copy; a
/// check never waits for a compile. The store is loaded once both kinds have been read.
package final class RBACPolicyStore: Sendable {
    private struct Objects {
        var roles: [String: ClusterRole] = [:]
        var bindings: [String: ClusterRoleBinding] = [:]
        var rolesLoaded = false
        var bindingsLoaded = false
        var problems: [String] = []
        /// When a policy was last compiled (seconds since 1970), for the operators' gauge.
        var compiledAt: Double?

        var loaded: Bool { rolesLoaded && bindingsLoaded }
    }

    /// The settings the policy is compiled for (subject case, URL pattern semantics, group prefix).
    package let settings: RBACSettings
    private let options: RBACPolicy.Options
    private let objects = Mutex(Objects())
    /// What checks read: the compiled policy, nil until loaded.
    private let snapshot = Mutex<RBACPolicy?>(nil)

    package init(settings: RBACSettings = RBACSettings()) {
        self.settings = settings
        self.options = RBACPolicy.Options(settings)
    }

    /// Whether both ClusterRoles and ClusterRoleBindings have been read at least once.
    package var isLoaded: Bool { objects.withLock { $0.loaded } }

    /// When the policy in force was compiled (seconds since 1970); nil before the first load.
    package var lastUpdatedAt: Double? { objects.withLock { $0.compiledAt } }

    /// Entries of the current objects that were skipped (bad patterns, ignored `roleRef` kinds).
    package var problems: [String] { objects.withLock { $0.problems } }

    /// How many of each kind are held (for logs and `/readyz`).
    package var counts: (roles: Int, bindings: Int) { objects.withLock { ($0.roles.count, $0.bindings.count) } }

    /// Replaces every role and binding (a file read); the store is loaded afterwards.
    /// - Returns: problems that the previous objects did not have, for the caller to log.
    @discardableResult
    package func replaceAll(roles: [ClusterRole], bindings: [ClusterRoleBinding]) -> [String] {
        update { objects in
            objects.roles = Self.byName(roles)
            objects.bindings = Self.byName(bindings)
            objects.rolesLoaded = true
            objects.bindingsLoaded = true
        }
    }

    /// Replaces every role (a list of ClusterRoles), keeping the bindings.
    @discardableResult
    package func replaceAll(roles: [ClusterRole]) -> [String] {
        update { objects in
            objects.roles = Self.byName(roles)
            objects.rolesLoaded = true
        }
    }

    /// Replaces every binding (a list of ClusterRoleBindings), keeping the roles.
    @discardableResult
    package func replaceAll(bindings: [ClusterRoleBinding]) -> [String] {
        update { objects in
            objects.bindings = Self.byName(bindings)
            objects.bindingsLoaded = true
        }
    }

    /// Applies one watch event: added and modified objects replace the one of that name, deleted ones go.
    @discardableResult
    package func apply(_ event: RBACObjectEvent) -> [String] {
        update { objects in
            switch event {
            case .added(.clusterRole(let role)), .modified(.clusterRole(let role)):
                objects.roles[role.name] = role
            case .added(.clusterRoleBinding(let binding)), .modified(.clusterRoleBinding(let binding)):
                objects.bindings[binding.name] = binding
            case .deleted(.clusterRole(let role)):
                objects.roles[role.name] = nil
            case .deleted(.clusterRoleBinding(let binding)):
                objects.bindings[binding.name] = nil
            }
        }
    }

    /// The compiled policy, or nil before the first load.
    var policy: RBACPolicy? {
        snapshot.withLock { $0 }
    }

    private func update(_ change: (inout Objects) -> Void) -> [String] {
        objects.withLock { objects in
            change(&objects)
            guard objects.loaded else { return [] }
            let policy = RBACPolicy(roles: objects.roles.values, bindings: objects.bindings.values, options: options)
            var seen = Set<String>()
            let problems = policy.problems.filter { seen.insert($0).inserted }
            let previous = Set(objects.problems)
            objects.problems = problems
            objects.compiledAt = Date().timeIntervalSince1970
            snapshot.withLock { $0 = policy }
            return problems.filter { !previous.contains($0) }
        }
    }

    private static func byName<Object: RBACNamed>(_ list: [Object]) -> [String: Object] {
        // A later object of the same name wins, as a later document in a file would.
        Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { _, later in later })
    }
}

extension ClusterRole: RBACNamed {}
extension ClusterRoleBinding: RBACNamed {}
