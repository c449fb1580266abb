import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// RBAC through the whole server: a login, then checks judged by the roles of an `--rbac-file`.
@Suite("RBAC over HTTP")
struct RBACIntegrationTests {
    static let policy = """
        apiVersion: v1
        kind: List
        items:
        - kind: ClusterRole
          apiVersion: rbac.authorization.k8s.io/v1
          metadata: {name: dashboard-viewer}
          rules:
          - verbs: [get]
            nonResourceURLs: ["/dashboard*"]
        - kind: ClusterRoleBinding
          apiVersion: rbac.authorization.k8s.io/v1
          metadata: {name: devs-view-dashboard}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: dashboard-viewer}
          subjects:
          - {kind: Group, name: "oidc:devs", apiGroup: rbac.authorization.k8s.io}
        """

    @Test func rolesFromTheFileAllowDenyAndPassThrough() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbac-\(UUID().uuidString).yaml").path
        try Self.policy.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await ForwardAuthHarness.run(configure: {
            $0.enableRBAC = true
            $0.rbacFile = path
            $0.authzPassThrough = ["/public/*"]
        }) { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, _) = try await harness.login(uri: "/dashboard/")
            // alice is in "devs": the binding of "oidc:devs" grants GET on /dashboard*.
            let allowed = try await harness.check(uri: "/dashboard/overview", cookies: cookies)
            #expect(allowed.status == .ok)
            #expect(allowed.headers[HTTPField.Name("X-Forwarded-User")!] == "alice@example.com")
            // A path no rule names: 403, the reason (roles, bindings) in the log line, not for the client.
            let denied = try await harness.check(uri: "/admin", accept: "application/json", cookies: cookies)
            #expect(denied.status == .forbidden)
            #expect(String(buffer: denied.body).contains("forbidden"))
            #expect(!String(buffer: denied.body).contains("ClusterRole"))
            // A dot-segment spelling of it under the allowed prefix is not judged at all.
            let dotted = try await harness.check(
                uri: "/dashboard/../admin", accept: "application/json", cookies: cookies)
            #expect(dotted.status == .badRequest)
            let page = try await harness.check(uri: "/admin", cookies: cookies)
            #expect(page.status == .forbidden)
            #expect(String(buffer: page.body).contains("Access denied"))
            // Pass-through paths skip RBAC, for signed-in users only.
            #expect(try await harness.check(uri: "/public/x", cookies: cookies).status == .ok)
            #expect(try await harness.check(uri: "/public/x", accept: "application/json").status == .unauthorized)
        }
    }
}
