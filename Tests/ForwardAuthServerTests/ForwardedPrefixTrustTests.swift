import ForwardAuth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// The first link of the chain an outside review found (issue 14): a client's `X-Forwarded-Prefix` went in front
/// of the judged path, so `/public` + `/admin/secret` passed an `allow PathPrefix(/public)` rule and a `/docs`
/// grant covered every path. The prefix now counts only with `trust-forwarded-prefix`.
@Suite("X-Forwarded-Prefix trust over HTTP")
struct ForwardedPrefixTrustTests {
    static let prefix = HTTPField.Name("X-Forwarded-Prefix")!

    static let policy = """
        apiVersion: v1
        kind: List
        items:
        - kind: ClusterRole
          apiVersion: rbac.authorization.k8s.io/v1
          metadata: {name: grants}
          rules:
          - verbs: [get]
            nonResourceURLs: ["/docs/*", "/dkp/kommander/dashboard/*"]
        - kind: ClusterRoleBinding
          apiVersion: rbac.authorization.k8s.io/v1
          metadata: {name: devs-grants}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: grants}
          subjects:
          - {kind: Group, name: "oidc:devs", apiGroup: rbac.authorization.k8s.io}
        """

    static func run(trust: Bool, _ body: @Sendable @escaping (ForwardAuthHarness) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbac-\(UUID().uuidString).yaml").path
        try Self.policy.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await ForwardAuthHarness.run(configure: {
            $0.rules = [RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public`)")]
            $0.ruleSet = try! RuleSet($0.rules)
            $0.enableRBAC = true
            $0.rbacFile = path
            $0.trustForwardedPrefix = trust
        }) { harness in
            try await harness.waitUntilProviderReady()
            try await body(harness)
        }
    }

    @Test func untrustedAClientsPrefixOpensNothing() async throws {
        try await Self.run(trust: false) { harness in
            // Anonymous, under `allow PathPrefix(/public)`: the prefix is ignored, so /admin/secret is judged.
            let api = try await harness.check(
                uri: "/admin/secret", accept: "application/json", extra: [Self.prefix: "/public"])
            #expect(api.status == .unauthorized)
            let browser = try await harness.check(uri: "/admin/secret", extra: [Self.prefix: "/public"])
            #expect(browser.status == .found)
            // The login returns to what was judged, not to the prefixed URL.
            let (cookies, callback) = try await harness.login(uri: "/admin/secret")
            #expect(callback.headers[.location] == "https://app.example.com/admin/secret")
            // Signed in with a grant on /docs/* only: /docs + /admin is /admin.
            let denied = try await harness.check(
                uri: "/admin", accept: "application/json", cookies: cookies, extra: [Self.prefix: "/docs"])
            #expect(denied.status == .forbidden)
            #expect(try await harness.check(uri: "/docs/a", cookies: cookies).status == .ok)
            let samples = try await harness.scrape()
            #expect(samples.value("forward_auth_untrusted_prefix_total") == 3)
        }
    }

    @Test func trustedTheProxysPrefixIsJudgedAndASecondOneRefused() async throws {
        try await Self.run(trust: true) { harness in
            let opened = try await harness.check(uri: "/x", accept: "application/json", extra: [Self.prefix: "/public"])
            #expect(opened.status == .ok)
            // The URI's dot-segments do not climb out of the prefix the proxy routed on: refused, not judged.
            for uri in ["/%2e%2e/public/x", "/../public/x"] {
                let climbed = try await harness.check(
                    uri: uri, accept: "application/json", extra: [Self.prefix: "/admin"])
                #expect(climbed.status == .badRequest, "\(uri)")
            }
            var twice: HTTPFields = [Self.prefix: "/public"]
            twice.append(HTTPField(name: Self.prefix, value: "/public"))
            let refused = try await harness.check(uri: "/x", accept: "application/json", extra: twice)
            #expect(refused.status == .badRequest)
            // DKP's Traefik strips /dkp/kommander/dashboard before forward auth; the grant names the full path.
            let (cookies, _) = try await harness.login(uri: "/docs/")
            let dashboard = try await harness.check(
                uri: "/overview", accept: "application/json", cookies: cookies,
                extra: [Self.prefix: "/dkp/kommander/dashboard"])
            #expect(dashboard.status == .ok)
            let stripped = try await harness.check(uri: "/overview", accept: "application/json", cookies: cookies)
            #expect(stripped.status == .forbidden)
            #expect((try await harness.scrape()).value("forward_auth_untrusted_prefix_total") == 0)
        }
    }
}
