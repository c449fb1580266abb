import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import Synchronization
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer
@testable import ForwardAuthWire

/// The provider failing mid-way, keys rotating at the provider and at forward-auth: logins fail with a clear
/// page, nothing hangs, and existing sessions keep passing.
@Suite("Faults and rotation")
struct FaultTests {
    /// Starts a login and lets the provider approve it; returns the browser's cookies and the callback target.
    func loginUpToTheCallback(_ harness: ForwardAuthHarness) async throws -> (cookies: [String: String], uri: String) {
        let start = try await harness.check()
        let location = try requireValue(start.headers[.location], "redirect to the provider")
        let back = try await harness.authorize(location)
        return (ForwardAuthHarness.cookies(from: start), back.path + "?" + (back.percentEncodedQuery ?? ""))
    }

    @Test func providerDownDuringTheCallbackIsA502PageAndSessionsKeepPassing() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            let (session, _) = try await harness.login()
            let (cookies, callback) = try await loginUpToTheCallback(harness)
            harness.provider.update { $0.unavailable = true }
            let failed = try await harness.check(uri: callback, cookies: cookies)
            #expect(failed.status == .badGateway)
            #expect(String(buffer: failed.body).contains("Sign-in failed"))
            #expect(ForwardAuthHarness.cookies(from: failed)["_forward_auth"] == nil)
            // The provider is still down: an existing session needs nothing from it.
            let passing = try await harness.check(cookies: session)
            #expect(passing.status == .ok)
        }
    }

    @Test func aSlowTokenEndpointTimesOutWithA502InsteadOfHanging() async throws {
        try await ForwardAuthHarness.run(providerTimeout: .milliseconds(500)) { harness in
            try await harness.waitUntilProviderReady()
            let (cookies, callback) = try await loginUpToTheCallback(harness)
            harness.provider.update { $0.tokenDelay = .seconds(5) }
            let started = ContinuousClock.now
            let failed = try await harness.check(uri: callback, cookies: cookies)
            let waited = ContinuousClock.now - started
            #expect(failed.status == .badGateway)
            #expect(waited < .seconds(3), "waited \(waited)")
        }
    }

    @Test func keysRotatedAtTheProviderNeedNoRestartAndFailNoLogin() async throws {
        try await ForwardAuthHarness.run { harness in
            try await harness.waitUntilProviderReady()
            _ = try await harness.login()
            let fetchesBefore = harness.provider.state.withLock { $0.jwksRequests }
            // The new key signs; the old one is gone from the JWKS.
            try await harness.provider.rotateKey()
            let (cookies, callback) = try await harness.login()
            #expect(callback.status == .found)
            #expect(cookies["_forward_auth"] != nil)
            #expect(harness.provider.state.withLock { $0.jwksRequests } > fetchesBefore)
            #expect(try await harness.check(cookies: cookies).status == .ok)
        }
    }

    /// `previous-secrets`: rotating the cookie secret logs nobody out, and the next login seals with the new one.
    @Test func rotatingTheCookieSecretLogsNobodyOutAndTheNextLoginReseals() async throws {
        let old = "old-secret-0123456789abcdef-0123456789"
        let new = "new-secret-0123456789abcdef-0123456789"
        let earlier = try await sessionCookies { $0.secret = Secret(old) }
        let (stillPassing, resealed) = try await rotated(to: new, previous: [old], presenting: earlier)
        #expect(stillPassing == .ok)
        // Once the old secret is dropped, only the re-sealed cookie opens.
        try await ForwardAuthHarness.run(configure: { $0.secret = Secret(new) }) { harness in
            let fresh = try await harness.check(accept: "application/json", cookies: resealed)
            let stale = try await harness.check(accept: "application/json", cookies: earlier)
            #expect(fresh.status == .ok)
            #expect(stale.status == .unauthorized)
        }
    }

    func sessionCookies(_ configure: @escaping @Sendable (inout Configuration) -> Void) async throws
        -> [String: String]
    {
        let box = CookieBox()
        try await ForwardAuthHarness.run(configure: configure) { harness in
            try await harness.waitUntilProviderReady()
            box.cookies = try await harness.login().cookies
        }
        return box.cookies
    }

    /// With `secret` = `new` and `previous-secrets` = `previous`: the status for `cookies`, and the cookies of
    /// a new login.
    func rotated(to new: String, previous: [String], presenting cookies: [String: String]) async throws
        -> (HTTPResponse.Status, [String: String])
    {
        let box = CookieBox()
        try await ForwardAuthHarness.run(configure: {
            $0.secret = Secret(new)
            $0.previousSecrets = previous.map(Secret.init)
        }) { harness in
            try await harness.waitUntilProviderReady()
            box.status = try await harness.check(accept: "application/json", cookies: cookies).status
            box.cookies = try await harness.login().cookies
        }
        return (box.status, box.cookies)
    }
}

/// Carries values out of a harness body (which is `@Sendable`).
final class CookieBox: @unchecked Sendable {
    var cookies: [String: String] = [:]
    var status: HTTPResponse.Status = .internalServerError
}
