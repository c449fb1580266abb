import Testing

@testable import ForwardAuth

@Suite("RBAC policy store")
struct RBACPolicyStoreTests {
    typealias F = RBACFixture

    @Test func checksFailClosedUntilBothKindsAreLoaded() {
        let store = RBACPolicyStore()
        let authorizer = RBACAuthorizer(store: store)
        #expect(F.check(authorizer, "https://h.example/") == .notLoaded)
        store.replaceAll(roles: [F.role("r", urls: ["*"])])
        #expect(!store.isLoaded)
        #expect(F.check(authorizer, "https://h.example/") == .notLoaded)
        store.replaceAll(bindings: [F.binding("b", role: "r", .user("alice@example.com"))])
        #expect(store.isLoaded)
        #expect(F.check(authorizer, "https://h.example/") == .allowed(binding: "b", role: "r"))
    }

    @Test func watchEventsAddChangeAndRemoveObjects() {
        let store = RBACPolicyStore()
        store.replaceAll(roles: [], bindings: [])
        let authorizer = RBACAuthorizer(store: store)
        let url = "https://h.example/admin"
        #expect(!F.isAllowed(F.check(authorizer, url)))

        store.apply(.added(.clusterRole(F.role("r", urls: ["/admin"]))))
        store.apply(.added(.clusterRoleBinding(F.binding("b", role: "r", .user("alice@example.com")))))
        #expect(F.check(authorizer, url) == .allowed(binding: "b", role: "r"))

        store.apply(.modified(.clusterRole(F.role("r", urls: ["/docs"]))))
        #expect(!F.isAllowed(F.check(authorizer, url)))
        #expect(F.isAllowed(F.check(authorizer, "https://h.example/docs")))

        store.apply(.deleted(.clusterRoleBinding(F.binding("b", role: "r"))))
        #expect(
            F.check(authorizer, "https://h.example/docs")
                == .denied(reason: "no ClusterRoleBinding binds this user or their groups"))
        #expect(store.counts == (roles: 1, bindings: 0))
    }

    @Test func replacingAllDropsObjectsNoLongerListed() {
        let store = RBACPolicyStore()
        store.replaceAll(
            roles: [F.role("a", urls: ["*"]), F.role("b", urls: ["*"])],
            bindings: [F.binding("x", role: "a", .user("alice@example.com"))])
        store.replaceAll(roles: [F.role("b", urls: ["*"])])
        let authorizer = RBACAuthorizer(store: store)
        guard case .denied(let reason) = F.check(authorizer, "https://h.example/") else {
            Issue.record("expected a denial")
            return
        }
        #expect(reason.contains("missing ClusterRole \"a\""))
    }

    /// A store compiles for its own settings; an authorizer made after a load reads that policy at once.
    @Test func eachStoreCompilesForItsSettings() {
        var insensitive = RBACSettings()
        insensitive.caseInsensitiveSubjects = true
        let strictStore = RBACPolicyStore()
        let lenientStore = RBACPolicyStore(settings: insensitive)
        let strict = RBACAuthorizer(store: strictStore)
        for store in [strictStore, lenientStore] {
            store.replaceAll(
                roles: [F.role("r", urls: ["*"])], bindings: [F.binding("b", role: "r", .user("Alice@Example.com"))])
        }
        #expect(!F.isAllowed(F.check(strict, "https://h.example/")))
        // Made after the load: the compiled policy is there at once.
        let late = RBACAuthorizer(store: lenientStore)
        #expect(F.isAllowed(F.check(late, "https://h.example/")))
        #expect(late.settings.caseInsensitiveSubjects)
    }

    @Test func problemsAreReportedOnceWhenTheyAppear() {
        let store = RBACPolicyStore()
        let bad = F.role("bad", urls: ["~(?=x)"])
        #expect(store.replaceAll(roles: [bad], bindings: []).count == 1)
        #expect(store.apply(.added(.clusterRole(F.role("good", urls: ["*"])))).isEmpty)
        #expect(store.problems.count == 1)
        store.apply(.deleted(.clusterRole(bad)))
        #expect(store.problems.isEmpty)
    }
}
