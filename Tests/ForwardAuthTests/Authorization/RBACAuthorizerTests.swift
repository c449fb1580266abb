import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC

@Suite("RBAC authorizer")
struct RBACAuthorizerTests {
    typealias F = RBACFixture

    @Test(
        "Verbs match the lower-cased method, or *",
        arguments: [
            (["get"], "GET", true),
            (["get"], "get", true),
            (["GET"], "GET", true),  // the Go fork lower-cases both sides
            (["get"], "POST", false),
            (["post", "put"], "PUT", true),
            (["*"], "DELETE", true),
            (["*"], "PROPFIND", true),
            ([String](), "GET", false),
            (["ge"], "GET", false),
            (["gets"], "GET", false),
        ])
    func verbs(verbs: [String], method: String, allowed: Bool) {
        #expect(F.allows(urls: ["*"], verbs: verbs, method: method, "https://h.example/") == allowed)
    }

    @Test(
        "Subjects: the user, prefixed groups, system:authenticated; never a ServiceAccount",
        arguments: [
            (RBACSubject.user("alice@example.com"), "alice@example.com", [String](), false, true),
            (.user("alice@example.com"), "bob@example.com", [], false, false),
            (.user("Alice@Example.com"), "alice@example.com", [], false, false),
            (.user("Alice@Example.com"), "alice@example.com", [], true, true),
            (.user("alice@example.com"), "ALICE@EXAMPLE.COM", [], true, true),
            (.user("élodie@example.com"), "ÉLODIE@example.com", [], true, true),
            (.user("oidc:devs"), "bob@example.com", ["devs"], false, false),
            (.group("oidc:devs"), "bob@example.com", ["ops", "devs"], false, true),
            (.group("oidc:devs"), "bob@example.com", ["ops"], false, false),
            (.group("devs"), "bob@example.com", ["devs"], false, false),  // the prefix is part of the name
            (.group("oidc:Devs"), "bob@example.com", ["devs"], false, false),
            (.group("oidc:Devs"), "bob@example.com", ["devs"], true, true),
            (.group("OIDC:devs"), "bob@example.com", ["DEVS"], true, true),
            (.group("oidc:alice@example.com"), "alice@example.com", [], false, false),
            (.group("system:authenticated"), "anyone@example.com", [], false, true),
            (.group("System:Authenticated"), "anyone@example.com", [], false, false),
            (.group("System:Authenticated"), "anyone@example.com", [], true, true),
            (.group("system:unauthenticated"), "anyone@example.com", [], false, false),
            (.group("system:masters"), "anyone@example.com", ["system:masters"], false, false),
            (.group("oidc:system:masters"), "anyone@example.com", ["system:masters"], false, true),
            (RBACSubject(kind: "User", name: "devs"), "bob@example.com", ["devs"], false, false),
            (
                RBACSubject(kind: "ServiceAccount", name: "alice@example.com", namespace: "default"),
                "alice@example.com", [], false, false
            ),
            (
                RBACSubject(kind: "ServiceAccount", name: "default", namespace: "kube-system"), "default", [], true,
                false
            ),
            (RBACSubject(kind: "user", name: "alice@example.com"), "alice@example.com", [], false, false),
        ] as [(RBACSubject, String, [String], Bool, Bool)])
    func subjects(subject: RBACSubject, user: String, groups: [String], caseInsensitive: Bool, allowed: Bool) {
        var settings = RBACSettings()
        settings.caseInsensitiveSubjects = caseInsensitive
        let authorizer = F.authorizer(
            roles: [F.role("r", urls: ["*"])], bindings: [F.binding("b", role: "r", subject)], settings: settings)
        #expect(F.isAllowed(F.check(authorizer, user: user, groups: groups, "https://h.example/")) == allowed)
    }

    @Test(
        "group-claim-prefix is put before each token group",
        arguments: [
            ("", "devs", true),
            ("", "oidc:devs", false),
            ("corp-", "corp-devs", true),
            ("corp-", "oidc:devs", false),
            ("oidc:", "oidc:devs", true),
        ])
    func groupPrefix(prefix: String, subjectName: String, allowed: Bool) {
        var settings = RBACSettings()
        settings.groupClaimPrefix = prefix
        let authorizer = F.authorizer(
            roles: [F.role("r", urls: ["*"])], bindings: [F.binding("b", role: "r", .group(subjectName))],
            settings: settings)
        #expect(F.isAllowed(F.check(authorizer, groups: ["devs"], "https://h.example/")) == allowed)
    }

    @Test func anAllowanceNamesTheBindingAndTheRole() {
        let authorizer = F.authorizer(
            roles: [F.role("viewer", urls: ["/docs/*"]), F.role("admin", urls: ["/admin/*"])],
            bindings: [
                F.binding("viewers", role: "viewer", .group("oidc:devs")),
                F.binding("admins", role: "admin", .user("alice@example.com")),
            ])
        #expect(
            F.check(authorizer, groups: ["devs"], "https://h.example/admin/x")
                == .allowed(binding: "admins", role: "admin"))
        #expect(
            F.check(authorizer, groups: ["devs"], "https://h.example/docs/x")
                == .allowed(binding: "viewers", role: "viewer"))
    }

    @Test func noBindingIsDenied() {
        let authorizer = F.authorizer(
            roles: [F.role("r", urls: ["*"])], bindings: [F.binding("b", role: "r", .user("bob@example.com"))])
        #expect(
            F.check(authorizer, "https://h.example/admin")
                == .denied(reason: "no ClusterRoleBinding binds this user or their groups"))
    }

    @Test func noMatchingRuleIsDeniedWithTheVerbAndURL() {
        let authorizer = F.authorizer(
            roles: [F.role("r", verbs: ["get"], urls: ["/docs/*"])],
            bindings: [F.binding("b", role: "r", .user("alice@example.com"))])
        #expect(
            F.check(authorizer, method: "POST", "https://h.example/docs/x")
                == .denied(reason: "no bound ClusterRole allows post on https://h.example/docs/x"))
        #expect(
            F.check(authorizer, "https://h.example/admin")
                == .denied(reason: "no bound ClusterRole allows get on https://h.example/admin"))
    }

    @Test func aBindingToAMissingRoleGrantsNothingAndSaysSo() {
        let authorizer = F.authorizer(
            roles: [], bindings: [F.binding("b", role: "gone", .user("alice@example.com"))])
        guard case .denied(let reason) = F.check(authorizer, "https://h.example/") else {
            Issue.record("expected a denial")
            return
        }
        #expect(reason.contains("ClusterRoleBinding \"b\" refers to a missing ClusterRole \"gone\""))
    }

    @Test(
        "Only a roleRef of kind ClusterRole counts",
        arguments: [("ClusterRole", true), ("Role", false), ("clusterrole", false), ("", false)])
    func roleRefKinds(kind: String, allowed: Bool) {
        let store = RBACPolicyStore()
        let problems = store.replaceAll(
            roles: [F.role("r", urls: ["*"])],
            bindings: [F.binding("b", role: "r", .user("alice@example.com"), kind: kind)])
        let authorizer = RBACAuthorizer(store: store)
        #expect(F.isAllowed(F.check(authorizer, "https://h.example/")) == allowed)
        #expect(problems.isEmpty == allowed)
    }

    @Test func resourceRulesGrantNothing() {
        let role = ClusterRole(
            name: "r",
            rules: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])])
        let authorizer = F.authorizer(
            roles: [role], bindings: [F.binding("b", role: "r", .user("alice@example.com"))])
        #expect(!F.isAllowed(F.check(authorizer, "https://h.example/")))
    }

    @Test(
        "authz-pass-through skips RBAC on matching paths",
        arguments: [
            (["/public/*"], false, "/public/a/b", true),
            (["/public/*"], false, "/publicity", false),
            (["/public"], false, "/public", true),
            (["/public"], false, "/public/x", false),
            (["/static/**"], true, "/static/a/b.css", true),
            (["/static/*"], true, "/static/a/b.css", false),
            (["/health", "/metrics*"], false, "/metrics/x", true),
            (["https://h.example/*"], false, "/x", false),  // pass-through patterns judge the path only
        ])
    func passThrough(patterns: [String], v3: Bool, path: String, passes: Bool) {
        var settings = RBACSettings()
        settings.passThrough = patterns
        settings.v3URLPatternMatching = v3
        let authorizer = RBACAuthorizer(store: RBACPolicyStore(settings: settings))
        let verdict = F.check(authorizer, "https://h.example" + path)
        #expect((verdict == .passThrough) == passes)
        if !passes { #expect(verdict == .notLoaded) }
    }

    @Test func emptyPassThroughPatternsAreReported() {
        var settings = RBACSettings()
        settings.passThrough = [" ", "/ok"]
        let authorizer = RBACAuthorizer(store: RBACPolicyStore(settings: settings))
        #expect(authorizer.problems.count == 1)
        #expect(F.check(authorizer, "https://h.example/ok") == .passThrough)
    }
}
