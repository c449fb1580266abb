import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// `forward_auth_logins_total{result}` is named by the reason a login failed (`LoginFailure.result`): each way a
/// login ends goes through the real server here, so none is counted as `other`.
@Suite("Login results in /metrics")
struct LoginResultTests {
    enum Scenario: String, CaseIterable, CustomTestStringConvertible {
        case success, denied, invalidRequest, invalidState, providerDeclined, providerError, invalidToken
        case missingEmail

        var testDescription: String { rawValue }

        var expected: String {
            switch self {
            case .success: "success"
            case .denied: "denied"
            case .invalidRequest: "invalid_request"
            case .invalidState: "invalid_state"
            case .providerDeclined: "provider_declined"
            case .providerError: "provider_error"
            case .invalidToken: "invalid_token"
            case .missingEmail: "missing_email"
            }
        }

        /// The `claim` label: the check that refused the token, else empty.
        var claim: String {
            switch self {
            case .invalidToken: "iss"
            case .missingEmail: "email"
            default: ""
            }
        }

        var status: HTTPResponse.Status {
            switch self {
            case .success: .found
            case .denied, .missingEmail: .forbidden
            case .invalidRequest: .badRequest
            case .invalidState, .providerDeclined, .invalidToken: .unauthorized
            case .providerError: .badGateway
            }
        }
    }

    @Test(arguments: Scenario.allCases)
    func eachWayALoginEndsIsCounted(_ scenario: Scenario) async throws {
        try await ForwardAuthHarness.run(configure: {
            if scenario == .denied { $0.whitelist = ["bob@example.com"] }
        }) { harness in
            try await harness.waitUntilProviderReady()
            let callback: TestResponse
            switch scenario {
            case .success, .denied:
                callback = try await harness.login().callback
            case .invalidToken:
                harness.provider.update { $0.tokenIssuer = "http://127.0.0.1:1/look-alike" }
                callback = try await harness.login().callback
            case .missingEmail:
                harness.provider.update { $0.email = nil }
                callback = try await harness.login().callback
            case .providerError:
                // The token endpoint refuses our client: the fixture expects another secret.
                harness.provider.update { $0.clientSecret = "another secret" }
                callback = try await harness.login().callback
            case .invalidRequest:
                callback = try await harness.check(uri: "/_oauth?state=abc")
            case .providerDeclined:
                callback = try await harness.check(uri: "/_oauth?error=access_denied&state=abc")
            case .invalidState:
                callback = try await harness.check(uri: "/_oauth?code=abc&state=forged")
            }
            #expect(callback.status == scenario.status)

            let metrics = try await harness.scrape()
            let logins = "forward_auth_logins_total"
            #expect(metrics.value(logins, ["result": scenario.expected, "claim": scenario.claim]) == 1)
            #expect(metrics.sum(logins) == 1)
            #expect(metrics.value(logins, ["result": "other", "claim": ""]) == 0)
            if !scenario.claim.isEmpty {
                // The page names the claim (never its value), the operator's first clue.
                let page = String(buffer: callback.body)
                #expect(page.contains("the ID token&#39;s &quot;\(scenario.claim)&quot; claim"), "\(page)")
                #expect(
                    metrics.value("forward_auth_token_verification_failures_total", ["reason": scenario.claim]) == 1)
            }
        }
    }
}
