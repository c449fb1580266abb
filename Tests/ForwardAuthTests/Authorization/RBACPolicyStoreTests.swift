import Testing

@testable import ForwardAuth

@Suite("RBAC policy store")
struct RBACPolicyStoreTests {
    typealias F = RBACFixture

    @Test func checksFailClosedUntilBothKindsAreLoaded() {
        let store = RBACPolicyStore()
        let authorizer = RBACAuthorizer(settings: RBACSettings(), store: store)
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
        let authorizer = RBACAuthorizer(settings: RBACSettings(), store: store)
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
        let authorizer = RBACAuthorizer(settings: RBACSettings(), store: store)
        guard case .denied(let reason) = F.check(authorizer, "https://h.example/") else {
            Issue.record("expected a denial")
            return
        }
        #expect(reason.contains("missing ClusterRole \"a\""))
    }

    @Test func authorizersWithDifferentSettingsShareOneStore() {
        let store = RBACPolicyStore()
        var insensitive = RBACSettings()
        insensitive.caseInsensitiveSubjects = true
        let strict = RBACAuthorizer(settings: RBACSettings(), store: store)
        let lenient = RBACAuthorizer(settings: insensitive, store: store)
        store.replaceAll(
            roles: [F.role("r", urls: ["*"])], bindings: [F.binding("b", role: "r", .user("Alice@Example.com"))])
        #expect(!F.isAllowed(F.check(strict, "https://h.example/")))
        #expect(F.isAllowed(F.check(lenient, "https://h.example/")))
        // Registered after the load: compiled at once.
        let late = RBACAuthorizer(settings: insensitive, store: store)
        #expect(F.isAllowed(F.check(late, "https://h.example/")))
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
