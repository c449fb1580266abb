import ForwardAuth
import Foundation
import ServiceLifecycle
import Testing

@testable import ForwardAuthServer

@Suite("Kubernetes list/watch")
struct RBACWatcherTests {
    typealias H = WatcherHarness

    static let admin = ClusterRole(name: "admin", rules: [PolicyRule(verbs: ["*"], nonResourceURLs: ["/admin/*"])])
    static let alice = ClusterRoleBinding(
        name: "alice-admin", subjects: [.user("alice@example.com")], roleRef: RoleRef(name: "admin"))

    static func check(_ authorizer: RBACAuthorizer, _ path: String = "/admin/x") -> RBACVerdict {
        authorizer.authorize(
            user: "alice@example.com", groups: [], method: "GET", scheme: "https", authority: "app.example.com",
            path: path)
    }

    static func allowed(_ verdict: RBACVerdict) -> Bool {
        if case .allowed = verdict { return true }
        return false
    }

    @Test func listsThenAppliesWatchEvents() async throws {
        try await H.run(prepare: { $0.put(Self.admin) }) { h in
            let authorizer = h.authorizer()
            try await eventually("loaded") { h.store.isLoaded }
            #expect(Self.check(authorizer) == .denied(reason: "no ClusterRoleBinding binds this user or their groups"))
            try await eventually("both watches open") { h.api.openWatches == 2 }
            let watch = try #require(h.api.requests.first { $0.isWatch && $0.resource == "clusterroles" })
            #expect(watch.resourceVersion == "101")

            h.api.put(Self.alice)
            try await eventually("the binding applies") { Self.allowed(Self.check(authorizer)) }
            #expect(Self.check(authorizer) == .allowed(binding: "alice-admin", role: "admin"))

            h.api.put(ClusterRole(name: "admin", rules: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/docs"])]))
            try await eventually("the modified role applies") { !Self.allowed(Self.check(authorizer)) }
            #expect(Self.allowed(Self.check(authorizer, "/docs")))

            h.api.delete(Self.alice)
            try await eventually("the deleted binding goes") { !Self.allowed(Self.check(authorizer, "/docs")) }
            #expect(h.lists(of: .clusterRoles) == 1)
            #expect(h.logs.contains("msg=\"RBAC listed\" count=1 resource=clusterroles resource_version=101"))
        }
    }

    @Test func aLiveCheckIsDeniedThenAllowedOnceABindingIsWatched() async throws {
        try await H.run(prepare: { $0.put(Self.admin) }) { h in
            let authorizer = h.authorizer()
            #expect(Self.check(authorizer) == .notLoaded || !h.store.isLoaded)
            try await eventually("both watches open") { h.api.openWatches == 2 }
            #expect(!Self.allowed(Self.check(authorizer)))
            h.api.put(Self.alice)
            try await eventually("allowed") { Self.allowed(Self.check(authorizer)) }
        }
    }

    @Test func listsFollowContinueTokens() async throws {
        try await H.run(prepare: { api in
            api.update(pageSize: 2)
            for name in ["a", "b", "c", "d", "e"] { api.put(ClusterRole(name: name, rules: [])) }
        }) { h in
            try await eventually("loaded") { h.store.isLoaded }
            #expect(h.store.counts.roles == 5)
            #expect(h.lists(of: .clusterRoles) == 3)
        }
    }

    @Test(arguments: [false, true])
    func goneRelists(asEvent: Bool) async throws {
        try await H.run(prepare: { $0.put(Self.admin) }) { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            h.api.answerGone(times: 1, asEvent: asEvent)
            h.api.put(Self.alice)  // seen by the open watch
            h.api.endWatches()  // the next watch is answered 410 Gone → list again → watch again
            // Two first lists, two after the end, one more for the kind whose watch was answered 410.
            try await eventually("listed five times") {
                h.lists(of: .clusterRoles) + h.lists(of: .clusterRoleBindings) == 5
            }
            try await eventually("watching again") { h.api.openWatches == 2 }
            #expect(h.logs.contains("RBAC watch expired; listing again"))
            #expect(h.logs.contains("410 Gone"))
            #expect(!h.logs.contains("level=warn"))
            let authorizer = h.authorizer()
            #expect(Self.allowed(Self.check(authorizer)))
            h.api.delete(Self.alice)
            try await eventually("events apply after the relist") { !Self.allowed(Self.check(authorizer)) }
        }
    }

    @Test func aDroppedWatchRelistsAndContinues() async throws {
        try await H.run(prepare: { $0.put(Self.admin) }) { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            h.api.breakWatches()
            try await eventually("a warning") { h.logs.contains("RBAC list/watch failed; retrying") }
            try await eventually("watching again") { h.api.openWatches == 2 }
            #expect(h.lists(of: .clusterRoles) == 2)
            h.api.put(Self.alice)
            let authorizer = h.authorizer()
            try await eventually("events apply after the relist") { Self.allowed(Self.check(authorizer)) }
        }
    }

    @Test func aCleanEndOfTheWatchRelists() async throws {
        try await H.run { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            h.api.endWatches()
            try await eventually("listed again") { h.lists(of: .clusterRoles) == 2 }
            #expect(h.logs.contains("RBAC watch ended; listing again"))
        }
    }

    @Test func aBadEventRelists() async throws {
        try await H.run { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            h.api.sendGarbage(to: .clusterRoleBindings)
            try await eventually("listed again") { h.lists(of: .clusterRoleBindings) == 2 }
            #expect(h.logs.contains("unexpected response: watch event"))
            #expect(h.lists(of: .clusterRoles) == 1)
        }
    }

    @Test func theTokenIsSentAndReadAgainForEachRequest() async throws {
        try await H.run { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            #expect(h.api.requests.allSatisfy { $0.authorization == "Bearer token-1" })
            try h.writeToken("token-2")
            h.api.update(token: "token-2")
            h.api.endWatches()
            try await eventually("requests carry the new token") {
                h.api.requests.filter { $0.authorization == "Bearer token-2" }.count >= 4
            }
            #expect(h.store.isLoaded)
            #expect(!h.logs.all.contains { $0.contains("token-1") || $0.contains("token-2") })
        }
    }

    @Test func aRejectedTokenBacksOffUntilTheTokenIsRenewed() async throws {
        try await H.run(prepare: { $0.update(token: "renewed") }) { h in
            try await eventually("failures logged") {
                h.logs.all.count { $0.contains("RBAC list/watch failed") } >= 4
            }
            #expect(!h.store.isLoaded)
            #expect(h.logs.contains("HTTP 401: Unauthorized"))
            try h.writeToken("renewed")
            try await eventually("loaded") { h.store.isLoaded }
            #expect(!h.logs.all.contains { $0.contains("token-1") || $0.contains("renewed") })
        }
    }

    @Test func backoffDoublesUpToTheCap() {
        let watcher = RBACWatcher(
            access: KubernetesAccess(baseURL: "http://127.0.0.1:1", tokenPath: "/nonexistent", caCertificatePath: nil),
            store: RBACPolicyStore(), logger: LogLines().logger())
        #expect(watcher.backoff(afterFailures: 1) == .milliseconds(500))
        #expect(watcher.backoff(afterFailures: 2) == .seconds(1))
        #expect(watcher.backoff(afterFailures: 4) == .seconds(4))
        #expect(watcher.backoff(afterFailures: 30) == .seconds(30))
    }

    @Test func aMissingTokenIsRetried() async throws {
        let logs = LogLines()
        let watcher = RBACWatcher(
            access: KubernetesAccess(baseURL: "http://127.0.0.1:9", tokenPath: "/nonexistent", caCertificatePath: nil),
            store: RBACPolicyStore(), logger: logs.logger(), timing: H.fastTiming)
        let task = Task { try await watcher.run() }
        try await eventually("retries logged") { logs.all.count { $0.contains("retry_in") } >= 4 }
        #expect(logs.contains("cannot read the service-account token at /nonexistent"))
        task.cancel()
        _ = await task.result
    }

    @Test func endsOnGracefulShutdown() async throws {
        try await H.run { h in
            try await eventually("both watches open") { h.api.openWatches == 2 }
            let watcher = RBACWatcher(
                access: KubernetesAccess(baseURL: h.baseURL, tokenPath: h.tokenPath, caCertificatePath: nil),
                store: RBACPolicyStore(), logger: h.logs.logger(), timing: H.fastTiming)
            let group = ServiceGroup(services: [watcher], logger: h.logs.logger())
            let running = Task { try await group.run() }
            try await eventually("its watches open too") { h.api.openWatches == 4 }
            let started = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
