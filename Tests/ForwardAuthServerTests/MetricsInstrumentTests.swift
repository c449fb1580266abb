import AsyncHTTPClient
import ForwardAuth
import MetricsTestKit
import NIOCore
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// The instruments behind `/metrics`, with swift-metrics' test factory: each record lands on the series with
/// the right labels (the index arithmetic), and the classifications are the documented ones.
@Suite("Metrics instruments")
struct MetricsInstrumentTests {
    @Test func countsMatchTheCases() {
        #expect(DecisionOutcome.count == DecisionOutcome.allCases.count)
        #expect(LoginResult.count == LoginResult.allCases.count)
        #expect(ProviderRequestError.count == ProviderRequestError.allCases.count)
        #expect(DecisionMetrics.routes.enumerated().allSatisfy { $0.element.metricIndex == $0.offset })
        #expect(ProviderEndpoint.allCases.enumerated().allSatisfy { $0.element.metricIndex == $0.offset })
    }

    @Test func everyRouteAndOutcomeHasItsOwnSeries() throws {
        let test = TestMetrics()
        let metrics = DecisionMetrics(factory: test)
        var expected: [String: Int64] = [:]
        // Route r, outcome o recorded r + o + 1 times: any index mix-up shows as a wrong count.
        for (r, route) in DecisionMetrics.routes.enumerated() {
            for (o, outcome) in DecisionOutcome.allCases.enumerated() {
                for _ in 0...(r + o) { metrics.record(outcome, route: route, duration: .microseconds(40)) }
                expected["\(route.metricLabel)/\(outcome.label)"] = Int64(r + o + 1)
            }
        }
        for route in DecisionMetrics.routes {
            for outcome in DecisionOutcome.allCases {
                let counter = try test.expectCounter(
                    DecisionMetrics.decisionsName, [("route", route.metricLabel), ("outcome", outcome.label)])
                #expect(counter.totalValue == expected["\(route.metricLabel)/\(outcome.label)"])
            }
            let timer = try test.expectTimer(DecisionMetrics.durationName, [("route", route.metricLabel)])
            #expect(timer.values.allSatisfy { $0 == 40_000 })
        }
        metrics.record(.invalidState, claim: nil)
        metrics.record(.invalidState, claim: nil)
        #expect(
            try test.expectCounter(DecisionMetrics.loginsName, [("result", "invalid_state"), ("claim", "")]).totalValue
                == 2)
        #expect(
            try test.expectCounter(DecisionMetrics.loginsName, [("result", "success"), ("claim", "")]).totalValue == 0)
    }

    /// A refused token's login names the check that refused it; every result × claim pair it can take exists
    /// from the start, and a claim on a result that has none counts under `claim=""`.
    @Test func loginsByClaim() throws {
        let test = TestMetrics()
        let metrics = DecisionMetrics(factory: test)
        metrics.record(.invalidToken, claim: .aud)
        metrics.record(.invalidToken, claim: .aud)
        metrics.record(.missingEmail, claim: .emailVerified)
        metrics.record(.denied, claim: .aud)
        func count(_ result: String, _ claim: String) throws -> Int64 {
            try test.expectCounter(DecisionMetrics.loginsName, [("result", result), ("claim", claim)]).totalValue
        }
        #expect(try count("invalid_token", "aud") == 2)
        #expect(try count("invalid_token", "signature") == 0)
        #expect(try count("missing_email", "email_verified") == 1)
        #expect(try count("denied", "") == 1)
        #expect(try count("invalid_token", "") == 0)
    }

    @Test func refusedTokensByReason() throws {
        let test = TestMetrics()
        let metrics = ProviderMetrics(factory: test)
        metrics.idTokenRefused(.iss)
        metrics.idTokenRefused(.exp)
        metrics.idTokenRefused(.exp)
        func count(_ reason: String) throws -> Int64 {
            try test.expectCounter(ProviderMetrics.tokenFailuresName, [("reason", reason)]).totalValue
        }
        #expect(try count("iss") == 1 && count("exp") == 2 && count("signature") == 0)
        #expect(IDTokenError.Reason.allCases.map(\.label).count == Set(IDTokenError.Reason.allCases.map(\.label)).count)
    }

    @Test func providerRequestsByEndpointAndError() throws {
        let test = TestMetrics()
        let metrics = ProviderMetrics(factory: test)
        metrics.record(.token, duration: .milliseconds(3), error: nil)
        metrics.record(.token, duration: .milliseconds(4), error: .status4xx)
        metrics.record(.jwks, duration: .milliseconds(5), error: .timeout)
        #expect(try test.expectCounter(ProviderMetrics.requestsName, [("endpoint", "token")]).totalValue == 2)
        #expect(try test.expectCounter(ProviderMetrics.requestsName, [("endpoint", "jwks")]).totalValue == 1)
        #expect(try test.expectCounter(ProviderMetrics.requestsName, [("endpoint", "discovery")]).totalValue == 0)
        let tokenErrors = try test.expectCounter(
            ProviderMetrics.errorsName, [("endpoint", "token"), ("error", "status_4xx")])
        #expect(tokenErrors.totalValue == 1)
        let jwksTimeouts = try test.expectCounter(
            ProviderMetrics.errorsName, [("endpoint", "jwks"), ("error", "timeout")])
        #expect(jwksTimeouts.totalValue == 1)
        let tokenTimeouts = try test.expectCounter(
            ProviderMetrics.errorsName, [("endpoint", "token"), ("error", "timeout")])
        #expect(tokenTimeouts.totalValue == 0)
        #expect(
            try test.expectTimer(ProviderMetrics.durationName, [("endpoint", "token")]).values == [
                3_000_000, 4_000_000,
            ])

        metrics.keySetFetched(error: nil)
        metrics.keySetFetched(error: .noUsableKeys)
        metrics.keySetFetched(error: .transportFailed)
        metrics.keySetFetched(error: .unexpectedStatus)
        for (result, count) in [("success", 1), ("invalid_keys", 1), ("fetch_error", 2)] {
            let counter = try test.expectCounter(ProviderMetrics.keyRefreshesName, [("result", result)])
            #expect(counter.totalValue == Int64(count))
        }
    }

    @Test(arguments: [
        (200, nil), (204, nil), (302, ProviderRequestError.statusOther), (400, .status4xx), (401, .status4xx),
        (500, .status5xx), (503, .status5xx), (100, .statusOther),
    ])
    func statusClassification(status: Int, expected: ProviderRequestError?) {
        #expect(ProviderRequestError(status: status) == expected)
    }

    struct SomeError: Error {}

    @Test func thrownErrorClassification() {
        #expect(ProviderRequestError(HTTPClientError.readTimeout) == .timeout)
        #expect(ProviderRequestError(HTTPClientError.connectTimeout) == .timeout)
        #expect(ProviderRequestError(HTTPClientError.deadlineExceeded) == .timeout)
        #expect(ProviderRequestError(HTTPClientError.remoteConnectionClosed) == .connection)
        #expect(ProviderRequestError(NIOTooManyBytesError(maxBytes: 10)) == .bodyTooLarge)
        #expect(ProviderRequestError(SomeError()) == .connection)
    }

    @Test func outcomeClassification() {
        #expect(DecisionOutcome(.allow(headers: []), startedLogin: false) == .allow)
        #expect(
            DecisionOutcome(.redirect(location: "x", status: .found, cookies: []), startedLogin: true) == .loginRedirect
        )
        #expect(
            DecisionOutcome(.redirect(location: "x", status: .temporary, cookies: []), startedLogin: false) == .redirect
        )
        #expect(DecisionOutcome(.unauthenticated(reason: ""), startedLogin: false) == .unauthenticated)
        #expect(DecisionOutcome(.forbidden(reason: "", user: nil), startedLogin: true) == .forbidden)
        #expect(DecisionOutcome(.badRequest(reason: "", tooLarge: true), startedLogin: false) == .badRequest)
        #expect(DecisionOutcome(.signedOut(cookies: []), startedLogin: false) == .page)
        #expect(DecisionOutcome(.loginFailed(.providerUnreachable, cookies: []), startedLogin: true) == .page)
    }
}
