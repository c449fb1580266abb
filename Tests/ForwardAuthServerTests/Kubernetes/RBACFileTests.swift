import ForwardAuth
import Foundation
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

@Suite("--rbac-file")
struct RBACFileTests {
    static let yamlList = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRole
          metadata:
            name: dashboard-view
          rules:
          - nonResourceURLs: ["/dkp/kommander/dashboard", "/dkp/kommander/dashboard/*"]
            verbs: ["get", "head"]
          - apiGroups: [""]
            resources: ["pods"]
            verbs: ["list"]
        - apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata:
            name: devs-dashboard
          roleRef:
            apiGroup: rbac.authorization.k8s.io
            kind: ClusterRole
            name: dashboard-view
          subjects:
          - apiGroup: rbac.authorization.k8s.io
            kind: Group
            name: oidc:devs
        """

    @Test func aYAMLListIsRead() throws {
        let file = try RBACFile.parse(Self.yamlList, source: "rbac.yaml")
        #expect(file.roles.map(\.name) == ["dashboard-view"])
        #expect(file.roles.first?.rules.first?.nonResourceURLs.count == 2)
        #expect(file.roles.first?.rules.last?.resources == ["pods"])
        #expect(file.bindings.first?.subjects == [.group("oidc:devs")])
        #expect(file.bindings.first?.roleRef == RoleRef(name: "dashboard-view"))
        #expect(file.warnings.isEmpty)
    }

    @Test func multipleDocumentsAreRead_OtherKindsAreSkippedWithAWarning() throws {
        let text = """
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: a}
            rules: [{nonResourceURLs: ["*"], verbs: ["*"]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: namespaced, namespace: default}
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: b}
            roleRef: {kind: ClusterRole, name: a}
            subjects: [{kind: User, name: alice@example.com}]
            ---
            """
        let file = try RBACFile.parse(text, source: "rbac.yaml")
        #expect(file.roles.map(\.name) == ["a"])
        #expect(file.bindings.map(\.name) == ["b"])
        #expect(
            file.warnings == ["document 2: Role \"namespaced\" ignored (only ClusterRole and ClusterRoleBinding count)"]
        )
    }

    @Test func jsonIsRead_ABareListAndASingleObject() throws {
        let list = """
            [{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},
              "rules":[{"verbs":["get"],"nonResourceURLs":["/x"]}]},
             {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},
              "roleRef":{"kind":"ClusterRole","name":"r"},"subjects":null}]
            """
        let file = try RBACFile.parse(list, source: "rbac.json")
        #expect(file.roles.first?.rules == [PolicyRule(verbs: ["get"], nonResourceURLs: ["/x"])])
        #expect(file.bindings.first?.subjects == [])

        let single = #"{"kind":"ClusterRole","metadata":{"name":"only"},"rules":null}"#
        let one = try RBACFile.parse(single, source: "one.json")
        #expect(one.roles == [ClusterRole(name: "only", rules: [])])
        #expect(one.warnings.contains { $0.contains("holds no ClusterRole or ClusterRoleBinding") } == false)
    }

    @Test(
        "A malformed file is refused, naming the problem",
        arguments: [
            (
                "kind: ClusterRole\nmetadata: {name: admin}\nrules: oops\n",
                "RBAC file f.yaml, document 1 (ClusterRole \"admin\"): rules: expected a list"
            ),
            (
                "kind: ClusterRole\nmetadata: {name: admin}\nrules: [{verbs: get, nonResourceURLs: [\"*\"]}]\n",
                "RBAC file f.yaml, document 1 (ClusterRole \"admin\"): rules[0].verbs: expected a list"
            ),
            (
                "kind: ClusterRoleBinding\nmetadata: {name: b}\nsubjects: []\n",
                "RBAC file f.yaml, document 1 (ClusterRoleBinding \"b\"): roleRef is missing"
            ),
            (
                "kind: ClusterRole\nrules: []\n",
                "RBAC file f.yaml, document 1 (ClusterRole): metadata is missing"
            ),
            (
                "kind: List\nitems:\n- kind: ClusterRole\n  metadata: {name: ok}\n- metadata: {name: nokind}\n",
                "RBAC file f.yaml, document 1, item 2: object \"nokind\" has no kind"
            ),
            (
                "- just a string\n",
                "RBAC file f.yaml, document 1, item 1: expected an object, found the value \"just a string\""
            ),
            ("kind: List\nitems: 3\n", "RBAC file f.yaml, document 1: List.items is not a list"),
        ])
    func malformed(text: String, message: String) {
        #expect {
            try RBACFile.parse(text, source: "f.yaml")
        } throws: { error in
            guard let error = error as? RBACFileError else { return false }
            #expect(error.isKind(of: .malformed))
            #expect(error.description.hasPrefix(message), "\(error.description)")
            return true
        }
    }

    @Test func badSyntaxIsRefused() throws {
        #expect {
            try RBACFile.parse("kind: ClusterRole\nmetadata: {name: [unclosed\n", source: "f.yaml")
        } throws: { error in
            guard let error = error as? RBACFileError else { return false }
            return error.isKind(of: .syntax) && error.description.hasPrefix("RBAC file f.yaml: not valid YAML or JSON:")
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect {
            try RBACFile.read(path: "/nonexistent/rbac.yaml")
        } throws: { error in
            (error as? RBACFileError)?.isKind(of: .unreadable) == true
                && "\(error)".hasPrefix("RBAC file /nonexistent/rbac.yaml: cannot be read")
        }
    }

    @Test func anEmptyFileLoadsNothingAndWarns() throws {
        let file = try RBACFile.parse("# nothing yet\n", source: "f.yaml")
        #expect(file.roles.isEmpty && file.bindings.isEmpty)
        #expect(file.warnings.count == 1)
    }
}
