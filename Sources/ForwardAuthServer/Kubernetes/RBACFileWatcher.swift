import ForwardAuth
import ForwardAuthOIDC
import Foundation
import Logging
import ServiceLifecycle

/// Loads `--rbac-file` into the store and reloads it when its contents change.
///
/// The file is read every `pollInterval` and compared with the last contents seen, not its mtime: a Kubernetes
/// ConfigMap mount changes by swapping a symlink, and a same-second edit keeps the mtime. A file that fails to
/// read or parse keeps the policy in force (none, before the first good read: checks answer "not loaded") and is
/// logged once per distinct content, not on every poll.
struct RBACFileWatcher: Service {
    let path: String
    let store: RBACPolicyStore
    let logger: Logger
    var pollInterval: Duration = .seconds(5)

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var last: Result<Data, RBACFileError>?
        while !Task.isCancelled {
            let current = Self.readData(path)
            if current != last {
                last = current
                load(current)
            }
            do { try await Task.sleep(for: pollInterval) } catch { return }
        }
    }

    /// Parses and applies one read; returns whether the store now holds this file's policy.
    @discardableResult
    func load(_ read: Result<Data, RBACFileError>) -> Bool {
        do {
            let file = try RBACFile.parse(read.get(), source: path)
            for warning in file.warnings { logger.warning("\(warning)") }
            let problems = store.replaceAll(roles: file.roles, bindings: file.bindings)
            for problem in problems { logger.warning("RBAC: \(problem)") }
            logger.info(
                "RBAC file loaded",
                metadata: [
                    "path": "\(path)", "cluster_roles": "\(file.roles.count)",
                    "cluster_role_bindings": "\(file.bindings.count)",
                ])
            return true
        } catch {
            logger.warning(
                "RBAC file not applied; keeping the policy in force",
                metadata: ["error": "\(error)", "loaded": "\(store.isLoaded)"])
            return false
        }
    }

    static func readData(_ path: String) -> Result<Data, RBACFileError> {
        do {
            return .success(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .failure(.cannotRead(path, (error as NSError).localizedDescription))
        }
    }
}
