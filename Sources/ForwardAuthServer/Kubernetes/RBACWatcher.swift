import AsyncHTTPClient
import ForwardAuth
import ForwardAuthConfiguration
import ForwardAuthOIDC
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Keeps the store in step with the cluster's ClusterRoles and ClusterRoleBindings: for each, a list, then a
/// watch from the list's resource version applying ADDED/MODIFIED/DELETED events, then (when the watch ends,
/// drops, or the version is gone: HTTP 410 or an ERROR event with code 410) a new list after `relistDelay`.
/// Failures back off exponentially from `initialBackoff` to `maximumBackoff`; an opened watch resets it.
///
/// Logs each list at info and each failure at warning with its reason, never the token. Ends on graceful
/// shutdown (open requests are cancelled) and closes its HTTP client.
struct RBACWatcher: Service {
    struct Timing: Sendable {
        var initialBackoff: Duration = .milliseconds(500)
        var maximumBackoff: Duration = .seconds(30)
        var relistDelay: Duration = .seconds(1)
        var maximumEventLength = 4 << 20
        var timeouts = KubernetesClient.Timeouts()
    }

    let access: KubernetesAccess
    let store: RBACPolicyStore
    let logger: Logger
    var timing = Timing()
    /// How the API is reached: direct, or through the proxy the environment names (`NO_PROXY` usually lists
    /// the service CIDR).
    var proxy = OutboundProxy.direct

    static let apiPath = "/apis/rbac.authorization.k8s.io/v1/"

    func run() async throws {
        let client = try KubernetesClient(access: access, timeouts: timing.timeouts, proxy: proxy)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    await self.inform(
                        resource: "clusterroles", as: ClusterRole.self, client: client,
                        replace: { store.replaceAll(roles: $0) }, wrap: { .clusterRole($0) })
                }
            }
            group.addTask {
                try? await cancelWhenGracefulShutdown {
                    await self.inform(
                        resource: "clusterrolebindings", as: ClusterRoleBinding.self, client: client,
                        replace: { store.replaceAll(bindings: $0) }, wrap: { .clusterRoleBinding($0) })
                }
            }
        }
        try await client.shutdown()
    }

    /// List, watch, repeat, until cancelled.
    func inform<Object: Decodable & Sendable>(
        resource: String, as type: Object.Type, client: KubernetesClient,
        replace: @Sendable ([Object]) -> [String], wrap: @Sendable (Object) -> RBACObject
    ) async {
        let path = Self.apiPath + resource
        var failures = 0
        while !Task.isCancelled {
            do {
                let list = try await client.list(path, resource: resource, as: type)
                report(replace(list.items))
                logger.info(
                    "RBAC listed",
                    metadata: [
                        "resource": "\(resource)", "count": "\(list.items.count)",
                        "resource_version": "\(list.resourceVersion)",
                    ])
                let ending = try await watch(
                    path, resource: resource, from: list.resourceVersion, as: type, client: client, wrap: wrap,
                    failures: &failures)
                logger.info(
                    "RBAC watch ended; listing again", metadata: ["resource": "\(resource)", "reason": "\(ending)"])
                try await Task.sleep(for: timing.relistDelay)
            } catch let error as KubernetesError where error.isGone {
                logger.info(
                    "RBAC watch expired; listing again", metadata: ["resource": "\(resource)", "reason": "\(error)"])
                do { try await Task.sleep(for: timing.relistDelay) } catch { return }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = backoff(afterFailures: failures)
                logger.warning(
                    "RBAC list/watch failed; retrying",
                    metadata: ["resource": "\(resource)", "error": "\(Self.reason(error))", "retry_in": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    /// Applies a watch's events until the stream ends; returns why it ended, or throws (410 → `isGone`).
    /// `failures` is reset once the watch is open: a list that succeeds while its watch keeps failing must not
    /// turn into a relist loop without backoff.
    private func watch<Object: Decodable & Sendable>(
        _ path: String, resource: String, from version: String, as type: Object.Type, client: KubernetesClient,
        wrap: (Object) -> RBACObject, failures: inout Int
    ) async throws -> String {
        let body = try await client.watch(path, resource: resource, from: version)
        failures = 0
        var reader = WatchLineReader(limit: timing.maximumEventLength)
        for try await chunk in body {
            for line in try reader.append(chunk.readableBytesView, resource: resource) {
                try handle(line, resource: resource, as: type, wrap: wrap)
            }
        }
        if let last = reader.finish() { try handle(last, resource: resource, as: type, wrap: wrap) }
        return "the server closed the watch"
    }

    private func handle<Object: Decodable & Sendable>(
        _ line: [UInt8], resource: String, as type: Object.Type, wrap: (Object) -> RBACObject
    ) throws {
        let data = Data(line)
        let decoder = JSONDecoder()
        let head: KubernetesWireFormat.EventHead
        do {
            head = try decoder.decode(KubernetesWireFormat.EventHead.self, from: data)
        } catch {
            throw KubernetesError.decoding(resource, "watch event: " + KubernetesClient.describe(error))
        }
        switch head.type {
        case "ADDED", "MODIFIED", "DELETED":
            let object: Object
            do {
                object = try decoder.decode(KubernetesWireFormat.Event<Object>.self, from: data).object
            } catch {
                throw KubernetesError.decoding(resource, "\(head.type) event: " + KubernetesClient.describe(error))
            }
            let event: RBACObjectEvent =
                switch head.type {
                case "ADDED": .added(wrap(object))
                case "MODIFIED": .modified(wrap(object))
                default: .deleted(wrap(object))
                }
            report(store.apply(event))
        case "BOOKMARK":
            break  // Only keeps a quiet watch alive: we list again rather than resume.
        case "ERROR":
            if head.object?.code == 410 { throw KubernetesError.gone(resource) }
            throw KubernetesError.status(
                head.object?.code ?? 500, resource, message: head.object?.message ?? head.object?.reason)
        default:
            logger.debug("RBAC watch: unknown event type ignored", metadata: ["type": "\(head.type.prefix(40))"])
        }
    }

    func backoff(afterFailures failures: Int) -> Duration {
        var delay = timing.initialBackoff
        for _ in 1..<max(failures, 1) where delay < timing.maximumBackoff { delay *= 2 }
        return min(delay, timing.maximumBackoff)
    }

    private func report(_ problems: [String]) {
        for problem in problems { logger.warning("RBAC: \(problem)") }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? KubernetesError { return error.description }
        if let error = error as? HTTPClientError { return "\(error)" }
        return "\(error)"
    }
}
