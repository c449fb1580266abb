import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// `/metrics` on the real server: what it counts, and who may read it.
@Suite("Metrics end to end (in-process)")
struct MetricsIntegrationTests {
    @Test func metricsAfterChecksAndALogin() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            #expect(try await harness.check(accept: "application/json").status == .unauthorized)
            let (cookies, callback) = try await harness.login()
            #expect(callback.status == .found)
            #expect(try await harness.check(cookies: cookies).status == .ok)

            let response = try await harness.client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let metrics = PrometheusSamples(String(buffer: response.body))
            #expect(metrics.unreadable.isEmpty)

            let decisions = "forward_auth_decisions_total"
            #expect(metrics.value(decisions, ["route": "check", "outcome": "unauthenticated"]) == 1)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "login_redirect"]) == 1)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "allow"]) == 1)
            #expect(metrics.value(decisions, ["route": "callback", "outcome": "redirect"]) == 1)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "forbidden"]) == 0)
            #expect(metrics.sum(decisions) == 4)
            #expect(metrics.types[decisions] == "counter")

            let duration = "forward_auth_decision_duration_seconds"
            #expect(metrics.types[duration] == "histogram")
            #expect(metrics.value(duration + "_count", ["route": "check"]) == 3)
            #expect(metrics.value(duration + "_count", ["route": "callback"]) == 1)
            #expect(metrics.value(duration + "_bucket", ["route": "check", "le": "+Inf"]) == 3)
            #expect(metrics.value(duration + "_bucket", ["route": "check", "le": "0.00001"]) != nil)

            #expect(metrics.value("forward_auth_logins_total", ["result": "success", "claim": ""]) == 1)
            #expect(metrics.sum("forward_auth_logins_total") == 1)

            let requests = "forward_auth_idp_requests_total"
            #expect(metrics.value(requests, ["endpoint": "token"]) == 1)
            #expect((metrics.value(requests, ["endpoint": "discovery"]) ?? 0) >= 1)
            #expect((metrics.value(requests, ["endpoint": "jwks"]) ?? 0) >= 1)
            #expect(metrics.sum("forward_auth_idp_request_errors_total") == 0)
            #expect(metrics.value("forward_auth_idp_request_duration_seconds_count", ["endpoint": "token"]) == 1)
            #expect((metrics.value("forward_auth_jwks_refreshes_total", ["result": "success"]) ?? 0) >= 1)
            #expect(metrics.value("forward_auth_jwks_refreshes_total", ["result": "fetch_error"]) == 0)

            #expect(metrics.value("forward_auth_build_info", ["version": ForwardAuthVersion.current]) == 1)
            #expect(metrics.types["forward_auth_build_info"] == "gauge")
            #expect(metrics.value("forward_auth_provider_ready") == 1)
            #expect(metrics.value("forward_auth_rbac_policy_loaded") == 0, "RBAC is off")
            #expect(metrics.value("forward_auth_rbac_policy_last_update_timestamp_seconds") == 0)
            #expect(metrics.sum("forward_auth_token_verification_failures_total") == 0)
            #expect(metrics.value("forward_auth_token_verification_failures_total", ["reason": "signature"]) == 0)
        }
    }

    @Test func theRBACPolicyGaugesFollowTheLoadedFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rbac-\(UUID().uuidString).yaml").path
        try ForwardedPrefixTrustTests.policy.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = Date().timeIntervalSince1970
        try await ForwardAuthHarness.run(configure: {
            $0.enableRBAC = true
            $0.rbacFile = path
        }) { harness in
            let metrics = try await harness.scrape { $0.value("forward_auth_rbac_policy_loaded") == 1 }
            let updated = try #require(metrics.value("forward_auth_rbac_policy_last_update_timestamp_seconds"))
            #expect(updated >= before.rounded(.down) && updated <= Date().timeIntervalSince1970 + 1)
        }
    }

    /// Prometheus's own Accept and User-Agent, and a browser's: a forwarded request is a request to judge,
    /// whatever its path, never a scrape.
    @Test(arguments: [
        (
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "Prometheus/2.53.0", HTTPResponse.Status.unauthorized
        ),
        ("text/html,application/xhtml+xml", "Mozilla/5.0", .found),
        ("*/*", "curl/8.5.0", .found),
    ])
    func forwardedMetricsRequestIsJudged(accept: String, userAgent: String, expected: HTTPResponse.Status)
        async throws
    {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            // Traefik's way: the protected app's /metrics in X-Forwarded-Uri.
            let viaUri = try await harness.check(
                uri: "/metrics", accept: accept, extra: [.userAgent: userAgent])
            #expect(viaUri.status == expected)
            #expect(!String(buffer: viaUri.body).contains("forward_auth_"))
            // A forwarded request whose own request line is /metrics is judged too.
            let viaRequestLine = try await harness.client.execute(
                uri: "/metrics", method: .get,
                headers: [
                    .init("X-Forwarded-Host")!: "app.example.com", .init("X-Forwarded-Proto")!: "https",
                    .init("X-Forwarded-Method")!: "GET", .accept: accept, .userAgent: userAgent,
                ])
            #expect(viaRequestLine.status == expected)
            #expect(!String(buffer: viaRequestLine.body).contains("forward_auth_"))

            let metrics = try await harness.scrape()
            #expect(metrics.sum("forward_auth_decisions_total", where: ["route": "check"]) == 2)
        }
    }

    @Test func checksAreCountedByTheRuleThatDecided() async throws {
        try await ForwardAuthHarness.run(configure: {
            let rules = [
                RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public`)"),
                RuleDefinition(name: "closed", action: .deny, rule: "PathPrefix(`/admin`)"),
            ]
            $0.rules = rules
            $0.ruleSet = (try? RuleSet(rules)) ?? RuleSet()
        }) { harness in
            for uri in ["/public/a", "/public/b", "/admin", "/other"] {
                _ = try await harness.check(uri: uri, accept: "application/json")
            }
            let metrics = try await harness.scrape()
            let rules = "forward_auth_rule_decisions_total"
            #expect(metrics.value(rules, ["rule": "public", "outcome": "allow"]) == 2)
            #expect(metrics.value(rules, ["rule": "closed", "outcome": "forbidden"]) == 1)
            #expect(metrics.value(rules, ["rule": "(default-action)", "outcome": "unauthenticated"]) == 1)
            #expect(metrics.value(rules, ["rule": "public", "outcome": "forbidden"]) == 0)
        }
    }

    @Test func metricsAddressServesOnItsOwnPortAndNotOnTheMainOne() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.metricsAddress = ListenAddress(host: "127.0.0.1", port: 0)
        }) { harness in
            #expect(try await harness.check(accept: "application/json").status == .unauthorized)
            let scrape = try await harness.getFromMetricsListener("/metrics")
            #expect(scrape.status == 200)
            let metrics = PrometheusSamples(scrape.body)
            #expect(metrics.value("forward_auth_build_info", ["version": ForwardAuthVersion.current]) == 1)
            #expect(
                metrics.value("forward_auth_decisions_total", ["route": "check", "outcome": "unauthenticated"]) == 1)
            // Only /metrics there: not the probes, not a check.
            #expect(try await harness.getFromMetricsListener("/healthz").status == 404)
            #expect(try await harness.getFromMetricsListener("/").status == 404)

            let main = try await harness.client.execute(uri: "/metrics", method: .get)
            #expect(main.status != .ok)
            #expect(!String(buffer: main.body).contains("forward_auth_"))
            #expect(try await harness.client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func decisionCountersCountEachOutcome() async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.rules = [
                RuleDefinition(name: "public", action: .allow, rule: "PathPrefix(`/public`)"),
                RuleDefinition(name: "closed", action: .deny, rule: "PathPrefix(`/closed`)"),
            ]
            $0.ruleSet = try! RuleSet($0.rules)
        }) { harness in
            try await harness.waitUntilProviderReady()
            for _ in 0..<3 { _ = try await harness.check(uri: "/public/a", accept: "application/json") }
            for _ in 0..<2 { _ = try await harness.check(uri: "/closed/b", accept: "application/json") }
            _ = try await harness.check(uri: "/private", accept: "application/json")
            _ = try await harness.check(uri: "/private")
            _ = try await harness.check(host: "app.example.com:99999")
            _ = try await harness.client.execute(
                uri: "/_oauth/auth", method: .get,
                headers: [
                    .init("X-Forwarded-Host")!: "app.example.com", .init("X-Forwarded-Proto")!: "https",
                    .init("X-Forwarded-Uri")!: "/private", .init("X-Forwarded-Method")!: "GET",
                    .accept: "text/html",
                ])
            _ = try await harness.check(uri: "/_oauth/logout")

            let metrics = try await harness.scrape()
            let decisions = "forward_auth_decisions_total"
            #expect(metrics.value(decisions, ["route": "check", "outcome": "allow"]) == 3)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "forbidden"]) == 2)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "unauthenticated"]) == 1)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "login_redirect"]) == 1)
            #expect(metrics.value(decisions, ["route": "check", "outcome": "bad_request"]) == 1)
            #expect(metrics.value(decisions, ["route": "auth", "outcome": "unauthenticated"]) == 1)
            #expect(metrics.value(decisions, ["route": "logout", "outcome": "page"]) == 1)
            #expect(metrics.sum(decisions) == 10)
            #expect(metrics.sum("forward_auth_logins_total") == 0)
        }
    }

    @Test func providerDownCountsRequestErrors() async throws {
        // Nothing listens on port 1: every request to the provider is refused.
        try await ForwardAuthHarness.run(configure: {
            $0.issuer = "http://127.0.0.1:1"
            $0.providerURI = URL(string: "http://127.0.0.1:1")!
        }) { harness in
            let errors = "forward_auth_idp_request_errors_total"
            let metrics = try await harness.scrape { $0.sum(errors) > 0 }
            #expect((metrics.value(errors, ["endpoint": "discovery", "error": "connection"]) ?? 0) >= 1)
            #expect((metrics.value("forward_auth_idp_requests_total", ["endpoint": "discovery"]) ?? 0) >= 1)
            #expect(metrics.value("forward_auth_idp_requests_total", ["endpoint": "jwks"]) == 0)
            // A browser gets the "provider unreachable" page.
            #expect(try await harness.check().status == .serviceUnavailable)
            let after = try await harness.scrape()
            #expect(after.value("forward_auth_decisions_total", ["route": "check", "outcome": "page"]) == 1)
            #expect(after.value("forward_auth_provider_ready") == 0)
        }
    }

    @Test func failedJWKSRefreshIsCounted() async throws {
        try await ForwardAuthHarness.run(transport: { JWKSOutage(wrapped: $0) }) { harness in
            let metrics = try await harness.scrape {
                ($0.value("forward_auth_jwks_refreshes_total", ["result": "fetch_error"]) ?? 0) > 0
            }
            #expect((metrics.value("forward_auth_jwks_refreshes_total", ["result": "fetch_error"]) ?? 0) >= 1)
            #expect(metrics.value("forward_auth_jwks_refreshes_total", ["result": "success"]) == 0)
            #expect(
                (metrics.value(
                    "forward_auth_idp_request_errors_total", ["endpoint": "jwks", "error": "status_5xx"]) ?? 0) >= 1)
            #expect(
                metrics.value(
                    "forward_auth_idp_request_errors_total", ["endpoint": "discovery", "error": "status_5xx"]) == 0)
        }
    }
}

/// The provider answers everything but its JWKS, which is a 503.
struct JWKSOutage: HTTPTransport {
    let wrapped: any HTTPTransport

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        if request.endpoint == .jwks { return OutboundResponse(status: 503, body: Array("down".utf8)) }
        return try await wrapped.send(request)
    }
}
