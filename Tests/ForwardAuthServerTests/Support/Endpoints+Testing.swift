import ForwardAuth
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

extension Endpoints {
    /// `Configuration.testing()` with a provider whose discovery is loaded.
    /// - Parameter knownBearer: a Bearer token the provider verified before, and whose it is.
    static func withLoadedProvider(knownBearer: (token: String, identity: Identity)? = nil) -> Endpoints {
        let configuration = Configuration.testing()
        let gatekeeper = Gatekeeper(configuration)
        let logger = Logger(label: "test")
        return Endpoints(
            engine: DecisionEngine(
                loginFlow: LoginFlow(
                    configuration, gatekeeper: gatekeeper, provider: LoadedProvider(knownBearer: knownBearer)),
                random: SystemRandomSource(), logger: logger),
            clock: { Int64(Date().timeIntervalSince1970) }, logger: logger, metrics: ForwardAuthMetrics())
    }
}

extension EmbeddedChannel {
    /// A connected channel with the server's two lanes as `CheckingHTTP1Channel` assembles them, up to where
    /// Hummingbird's handlers would be: the fast lane, NIO's encoder and decoder, `HandedOnRequests`. What reaches
    /// the end is what Hummingbird would be handed.
    static func withLanes(
        _ endpoints: Endpoints,
        sweeper: ConnectionSweeper = ConnectionSweeper(
            idleTimeout: .seconds(180), readHeaderTimeout: .seconds(10)),
        loop: EmbeddedEventLoop = EmbeddedEventLoop()
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: loop)
        let fastLane = CheckFastPathHandler(endpoints: endpoints, sweeper: sweeper)
        try channel.pipeline.syncOperations.addHandlers([
            fastLane, HTTPResponseEncoder(), ByteToMessageHandler(HTTPRequestDecoder()),
            HandedOnRequests(reportingTo: fastLane),
        ])
        // Connected, so that a close shows as `isActive` turning false.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4181)).wait()
        return channel
    }
}

/// A provider whose discovery is loaded: login starts need no task.
struct LoadedProvider: IdentityProviderClient {
    let knownBearer: (token: String, identity: Identity)?

    func previouslyVerifiedBearerToken(_ idToken: String, now: Int64) -> Identity? {
        knownBearer.flatMap { $0.token == idToken ? $0.identity : nil }
    }

    func authorizationURL(state: String, nonce: String, codeChallenge: String, redirectURI: String) -> String? {
        "https://dex.example.com/dex/auth?state=\(state)"
    }

    func redeem(code: String, codeVerifier: String, redirectURI: String) async throws(LoginError) -> String {
        throw LoginError(.providerUnavailable, "not in this test")
    }

    func verifyCallbackToken(_ idToken: String, nonce: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.invalidToken, "not in this test")
    }

    func verifyBearerToken(_ idToken: String, now: Int64) async throws(LoginError) -> Identity {
        throw LoginError(.invalidToken, "not in this test")
    }

    func verifyBrokeredToken(_ idToken: String, brokerAudience: String?, now: Int64) async throws(LoginError)
        -> Identity
    {
        throw LoginError(.invalidToken, "not in this test")
    }

    func endSessionEndpoint() async -> String? { nil }
}
