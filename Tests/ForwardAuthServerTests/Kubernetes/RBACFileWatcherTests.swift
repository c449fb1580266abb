import ForwardAuth
import Foundation
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

@Suite("--rbac-file reloads")
struct RBACFileWatcherTests {
    static func policy(urls: String) -> String {
        """
        kind: ClusterRole
        metadata: {name: r}
        rules: [{verbs: [get], nonResourceURLs: [\(urls)]}]
        ---
        kind: ClusterRoleBinding
        metadata: {name: b}
        roleRef: {kind: ClusterRole, name: r}
        subjects: [{kind: User, name: alice@example.com}]
        """
    }

    static func allows(_ authorizer: RBACAuthorizer, _ path: String) -> Bool {
        let verdict = authorizer.authorize(
            user: "alice@example.com", groups: [], method: "GET", scheme: "https", authority: "h.example", path: path)
        if case .allowed = verdict { return true }
        return false
    }

    /// Runs the watcher on `path` (polling every 20 ms) for the body, then stops it.
    static func watching(
        _ path: String, _ body: (RBACPolicyStore, RBACAuthorizer, LogLines) async throws -> Void
    ) async throws {
        let store = RBACPolicyStore()
        let logs = LogLines()
        let watcher = RBACFileWatcher(path: path, store: store, logger: logs.logger(), pollInterval: .milliseconds(20))
        let task = Task { try await watcher.run() }
        defer { task.cancel() }
        try await body(store, RBACAuthorizer(store: store), logs)
        task.cancel()
        _ = await task.result
    }

    @Test func loadsThenReloadsOnChangeAndKeepsThePolicyOnABadFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/rbac.yaml"
        try Self.policy(urls: "\"/a\"").write(toFile: path, atomically: true, encoding: .utf8)
        try await Self.watching(path) { store, authorizer, logs in
            try await eventually("loaded") { store.isLoaded }
            #expect(Self.allows(authorizer, "/a"))

            try Self.policy(urls: "\"/b\"").write(toFile: path, atomically: true, encoding: .utf8)
            try await eventually("reloaded") { Self.allows(authorizer, "/b") }
            #expect(!Self.allows(authorizer, "/a"))

            try "kind: ClusterRole\nmetadata: {name: r}\nrules: nope\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            try await eventually("the bad file is reported") { logs.contains("RBAC file not applied") }
            #expect(logs.contains("rules: expected a list"))
            #expect(Self.allows(authorizer, "/b"))
            try await Task.sleep(for: .milliseconds(100))
            #expect(logs.all.count { $0.contains("RBAC file not applied") } == 1)  // once per content
        }
    }

    @Test func aConfigMapSymlinkSwapIsSeen() async throws {
        // The kubelet's layout: rbac.yaml → ..data/rbac.yaml, ..data → ..<timestamp>; an update swaps ..data.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manager = FileManager.default
        for (version, urls) in [("..v1", "\"/one\""), ("..v2", "\"/two\"")] {
            try manager.createDirectory(atPath: directory.path + "/" + version, withIntermediateDirectories: false)
            try Self.policy(urls: urls).write(
                toFile: directory.path + "/\(version)/rbac.yaml", atomically: true, encoding: .utf8)
        }
        try manager.createSymbolicLink(atPath: directory.path + "/..data", withDestinationPath: "..v1")
        try manager.createSymbolicLink(atPath: directory.path + "/rbac.yaml", withDestinationPath: "..data/rbac.yaml")
        try await Self.watching(directory.path + "/rbac.yaml") { store, authorizer, _ in
            try await eventually("loaded") { Self.allows(authorizer, "/one") }
            try manager.createSymbolicLink(atPath: directory.path + "/..data_tmp", withDestinationPath: "..v2")
            #expect(rename(directory.path + "/..data_tmp", directory.path + "/..data") == 0)
            try await eventually("the swap is seen") { Self.allows(authorizer, "/two") }
        }
    }

    @Test func aMissingFileLeavesTheStoreUnloaded() async throws {
        try await Self.watching("/nonexistent/rbac.yaml") { store, authorizer, logs in
            try await eventually("reported") { logs.contains("cannot be read") }
            #expect(!store.isLoaded)
            let verdict = authorizer.authorize(
                user: "a@example.com", groups: [], method: "GET", scheme: "https", authority: "h", path: "/")
            #expect(verdict == .notLoaded)
        }
    }
}
