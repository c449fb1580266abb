import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// Silent refresh through the real server against a provider that refreshes by Dex's rules
/// (`TestIdentityProvider`: one live token, rotated on use, 400 for any other, 500 for a removed user). The
/// service's clock is real time plus an offset the tests move past a session's soft end.
@Suite("Silent refresh end to end (in-process)")
struct RefreshIntegrationTests {
    final class ShiftedClock: Sendable {
        let offset = Mutex<Int64>(0)
        func advance(_ seconds: Int64) { offset.withLock { $0 += seconds } }
        var read: @Sendable () -> Int64 { { Int64(Date().timeIntervalSince1970) + self.offset.withLock { $0 } } }
    }

    static func configure(_ configuration: inout Configuration) {
        configuration.refreshSessions = true
        configuration.refreshInterval = 100
    }

    static let navigate: HTTPFields = [.init("Sec-Fetch-Mode")!: "navigate"]

    static func run(
        configure: @escaping @Sendable (inout Configuration) -> Void = Self.configure,
        _ body: @Sendable (ForwardAuthHarness, ShiftedClock) async throws -> Void
    ) async throws {
        let clock = ShiftedClock()
        try await ForwardAuthHarness.run(configure: configure, clock: clock.read) { harness in
            try await harness.waitUntilProviderReady()
            try await body(harness, clock)
        }
    }

    static func merge(_ response: TestResponse, into jar: inout [String: String]) {
        for (name, value) in ForwardAuthHarness.cookies(from: response) {
            if value.isEmpty { jar.removeValue(forKey: name) } else { jar[name] = value }
        }
    }

    /// Past the soft end, a navigation is sent to `/_oauth/refresh` on its own host; returns that path and query.
    static func refreshTarget(_ harness: ForwardAuthHarness, _ jar: [String: String]) async throws -> String {
        let check = try await harness.check(cookies: jar, extra: navigate)
        #expect(check.status == .found)
        let location = try requireValue(check.headers[.location])
        let prefix = "https://app.example.com/_oauth/refresh?rd="
        #expect(location == prefix + "https%3A%2F%2Fapp.example.com%2Fpage%3Fq%3D1")
        return String(location.dropFirst("https://app.example.com".count))
    }

    @Test func aNavigationPastTheSoftEndRenewsTheSessionAndOtherRequestsPass() async throws {
        try await Self.run { harness, clock in
            var (jar, _) = try await harness.login()
            #expect(
                harness.provider.state.withLock { $0.liveRefreshToken } != nil, "the login asked for offline_access")
            #expect(try await harness.check(cookies: jar, extra: Self.navigate).status == .ok)

            clock.advance(120)
            // An XHR, a fetch, an API call: passed to the hard end, never redirected.
            let xhr = try await harness.check(
                accept: "application/json", cookies: jar, extra: [.init("Sec-Fetch-Mode")!: "cors"])
            #expect(xhr.status == .ok)
            let post = try await harness.check(cookies: jar, extra: [.init("X-Forwarded-Method")!: "POST"])
            #expect(post.status != .found)
            let target = try await Self.refreshTarget(harness, jar)

            let refreshed = try await harness.check(uri: target, cookies: jar)
            #expect(refreshed.status == .found)
            #expect(refreshed.headers[.location] == "https://app.example.com/page?q=1")
            let oldSession = jar["_forward_auth"]
            Self.merge(refreshed, into: &jar)
            #expect(jar["_forward_auth"] != nil && jar["_forward_auth"] != oldSession)
            #expect(harness.provider.state.withLock { $0.refreshRequests } == 1)
            let after = try await harness.check(cookies: jar, extra: Self.navigate)
            #expect(after.status == .ok)
            #expect(after.headers[.init("X-Forwarded-User")!] == "alice@example.com")

            let metrics = try await harness.scrape()
            #expect(metrics.value("forward_auth_refreshes_total", ["result": "refreshed"]) == 1)
        }
    }

    @Test func twoTabsRefreshingAtOnceKeepTheWinnersSessionAndStopLooping() async throws {
        try await Self.run { harness, clock in
            let (jar, _) = try await harness.login()
            clock.advance(120)
            let target = try await Self.refreshTarget(harness, jar)
            async let first = harness.check(uri: target, cookies: jar)
            async let second = harness.check(uri: target, cookies: jar)
            let answers = try await [first, second]
            #expect(answers.allSatisfy { $0.status == .found })
            let renews = { (answer: TestResponse) in
                answer.headers[values: .setCookie].contains { $0.hasPrefix("_forward_auth=v") }
            }
            let winners = answers.filter(renews)
            #expect(winners.count == 1, "exactly one tab renewed the session")
            let loser = try requireValue(answers.first { !renews($0) })
            let loserCookies = ForwardAuthHarness.cookies(from: loser)
            #expect(loserCookies.keys.sorted() == ["_forward_auth_refresh"], "the loser writes only its marker")

            // The browser holding the old session and the loser's marker is not sent to refresh again.
            var stale = jar
            Self.merge(loser, into: &stale)
            #expect(try await harness.check(cookies: stale, extra: Self.navigate).status == .ok)
            // The winner's newer session is not held back by that marker.
            var current = jar
            Self.merge(loser, into: &current)
            Self.merge(winners[0], into: &current)
            clock.advance(120)
            #expect(try await harness.check(cookies: current, extra: Self.navigate).status == .found)
        }
    }

    @Test func aUserRemovedAtTheProviderLosesTheSessionAtTheNextNavigation() async throws {
        try await Self.run { harness, clock in
            var (jar, _) = try await harness.login()
            harness.provider.update { $0.userRemoved = true }
            clock.advance(120)
            let target = try await Self.refreshTarget(harness, jar)
            let ended = try await harness.check(uri: target, cookies: jar)
            #expect(ended.status == .found)
            Self.merge(ended, into: &jar)
            #expect(jar["_forward_auth"] == nil, "the session cookie is cleared")
            // The 500 was asked twice: once more tells a removal from a lost race.
            #expect(harness.provider.state.withLock { $0.refreshRequests } == 2)
            let next = try await harness.check(cookies: jar, extra: Self.navigate)
            #expect(next.headers[.location]?.hasPrefix(harness.provider.issuer + "/auth?") == true)
            let metrics = try await harness.scrape()
            #expect(metrics.value("forward_auth_refreshes_total", ["result": "ended"]) == 1)
        }
    }

    @Test func aProviderOutageKeepsTheSessionAndRetriesAfterAMinute() async throws {
        try await Self.run { harness, clock in
            var (jar, _) = try await harness.login()
            harness.provider.update { $0.unavailable = true }
            clock.advance(120)
            let target = try await Self.refreshTarget(harness, jar)
            let kept = try await harness.check(uri: target, cookies: jar)
            #expect(kept.status == .found)
            Self.merge(kept, into: &jar)
            #expect(jar["_forward_auth"] != nil && jar["_forward_auth_refresh"] != nil)
            // Held back for a minute: the page loads, nothing is asked of the provider.
            #expect(try await harness.check(cookies: jar, extra: Self.navigate).status == .ok)
            clock.advance(61)
            harness.provider.update { $0.unavailable = false }
            let retry = try await Self.refreshTarget(harness, jar)
            let renewed = try await harness.check(uri: retry, cookies: jar)
            #expect(ForwardAuthHarness.cookies(from: renewed)["_forward_auth"]?.isEmpty == false)
            #expect(ForwardAuthHarness.cookies(from: renewed)["_forward_auth_refresh"] == "")
        }
    }

    @Test func withoutAnIDTokenUserinfosSubjectMustBeTheSessions() async throws {
        try await Self.run { harness, clock in
            let (jar, _) = try await harness.login()
            harness.provider.update { $0.refreshWithoutIDToken = true }
            clock.advance(120)
            let target = try await Self.refreshTarget(harness, jar)
            let renewed = try await harness.check(uri: target, cookies: jar)
            #expect(ForwardAuthHarness.cookies(from: renewed)["_forward_auth"]?.isEmpty == false)

            var next = jar
            Self.merge(renewed, into: &next)
            harness.provider.update { $0.subject = "someone-else" }
            clock.advance(120)
            let ended = try await harness.check(uri: try await Self.refreshTarget(harness, next), cookies: next)
            #expect(ForwardAuthHarness.cookies(from: ended)["_forward_auth"] == "")
        }
    }

    @Test func nginxGetsA401AndItsLoginStartRefreshes() async throws {
        try await Self.run { harness, clock in
            let (jar, _) = try await harness.login()
            clock.advance(120)
            let check = try await harness.check(
                cookies: jar, extra: Self.navigate + [.init("X-Forward-Auth-Redirect")!: "off"])
            #expect(check.status == .unauthorized)
            var headers: HTTPFields = [
                .init("X-Forwarded-Proto")!: "https", .init("X-Forwarded-Host")!: "app.example.com",
                .cookie: jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
            ]
            headers[.accept] = "text/html"
            let start = try await harness.client.execute(
                uri: "/_oauth/start?rd=https%3A%2F%2Fapp.example.com%2Fx", method: .get, headers: headers)
            #expect(start.status == .found)
            #expect(
                start.headers[.location]
                    == "https://app.example.com/_oauth/refresh?rd=https%3A%2F%2Fapp.example.com%2Fx")
        }
    }

    /// Past `refresh-max-age` a session is no longer renewed: it runs to its hard end, and nothing sends the browser
    /// to a refresh the endpoint would skip (which would loop).
    @Test func pastTheMaximumAgeASessionRunsToItsEndWithoutRefreshing() async throws {
        try await Self.run(configure: {
            Self.configure(&$0)
            $0.refreshMaxAge = 150
        }) { harness, clock in
            let (jar, _) = try await harness.login()
            clock.advance(200)
            #expect(try await harness.check(cookies: jar, extra: Self.navigate).status == .ok)
            let direct = try await harness.check(
                uri: "/_oauth/refresh?rd=https%3A%2F%2Fapp.example.com%2Fx", cookies: jar)
            #expect(direct.headers[.location] == "https://app.example.com/x")
            #expect(harness.provider.state.withLock { $0.refreshRequests } == 0)
        }
    }

    @Test func refreshIsOffUnlessAsked() async throws {
        try await Self.run(configure: { _ in }) { harness, clock in
            let (jar, _) = try await harness.login()
            #expect(harness.provider.state.withLock { $0.liveRefreshToken } == nil, "no offline_access asked")
            clock.advance(4000)
            #expect(try await harness.check(cookies: jar, extra: Self.navigate).status == .ok)
        }
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}
