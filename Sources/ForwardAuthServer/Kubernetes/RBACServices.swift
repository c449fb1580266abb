import ForwardAuth
import ForwardAuthConfiguration
import Logging
import NIOSSL
import ServiceLifecycle

/// The services that keep `store` filled, for `buildApplication` to add: none without `enable-rbac`; a watcher
/// of `--rbac-file` when it is set; otherwise the in-cluster list/watch of ClusterRoles and ClusterRoleBindings.
///
/// - Parameters:
///   - kubernetes: how to reach the API; nil reads the in-cluster settings (and throws, saying what is missing,
///     outside a pod).
/// - Throws: `KubernetesError` when in-cluster settings are missing; NIOSSL's error when the CA file is not PEM.
package func rbacServices(
    configuration: Configuration, store: RBACPolicyStore, kubernetes: KubernetesAccess? = nil, logger: Logger
) throws -> [any Service] {
    guard configuration.enableRBAC else { return [] }
    if let path = configuration.rbacFile {
        return [RBACFileWatcher(path: path, store: store, logger: logger)]
    }
    let access = try kubernetes ?? KubernetesAccess.inCluster()
    // Fail at start, not in the service: a CA that cannot be read is a deployment error, not a transient one.
    if let ca = access.caCertificatePath { _ = try NIOSSLCertificate.fromPEMFile(ca) }
    return [RBACWatcher(access: access, store: store, logger: logger, proxy: configuration.outboundProxy)]
}
