import ForwardAuthWire
import Foundation
import JWTKit
import Synchronization

/// forward-auth's client of the OpenID Connect provider (Dex): discovery, the JWKS cache, the token
/// exchange and ID token verification.
///
/// Owns the provider state that changes at run time (the discovery document and the signing keys) and
/// nothing else; it never reads the clock (every operation takes `now`) and reaches the network only through
/// the `HTTPTransport` it was given.
///
/// Keys: `load(now:)` (called by a retrying, periodic loader) fetches discovery and the JWKS. A token naming an
/// unknown `kid` makes `verify` refetch the JWKS once, at most every `keyRefetchInterval`; the hot-path
/// `verifyCached` never waits for the network and instead schedules that refetch in the background. A
/// refetch replaces the whole key set, so a key the provider rotated out stops verifying at once.
package actor OIDCClient {
    package nonisolated let settings: OIDCClientSettings
    private let transport: any HTTPTransport
    package nonisolated let validator: IDTokenValidator
    private let observer: (any OIDCClientObserver)?

    /// The provider's discovery document, once loaded (the last good one is kept through outages).
    package private(set) var metadata: ProviderMetadata? {
        didSet {
            let template = metadata.map {
                AuthorizationURLTemplate(
                    authorizationEndpoint: $0.authorizationEndpoint, clientID: settings.clientID,
                    scopes: settings.scopes)
            }
            publishedAuthorization.withLock { $0 = template }
        }
    }
    /// The authorization URL of `metadata`, readable without an actor hop: the event loop starts logins with it.
    package nonisolated var authorizationURLTemplate: AuthorizationURLTemplate? {
        publishedAuthorization.withLock { $0 }
    }
    private nonisolated let publishedAuthorization = Mutex<AuthorizationURLTemplate?>(nil)
    /// What the client knows about the provider, for `/readyz` and metrics.
    package private(set) var status = ProviderStatus()

    private var keys: SigningKeys? {
        get { loadedKeys.keys }
        set { publishedKeys.withLock { $0 = LoadedKeys(keys: newValue, generation: $0.generation + 1) } }
    }
    /// The signing keys, readable without an actor hop: tokens verify concurrently, outside the actor.
    private nonisolated let publishedKeys = Mutex(LoadedKeys(keys: nil, generation: 0))
    private nonisolated var loadedKeys: LoadedKeys { publishedKeys.withLock { $0 } }
    /// Counts key sets loaded: a verified Bearer token counts only under the key set it was verified with.
    package nonisolated var currentKeySet: Int { loadedKeys.generation }
    /// Bearer tokens that verified, for `previouslyVerifiedBearerToken`.
    package nonisolated let verifiedBearers = VerifiedTokens()
    /// When the last JWKS fetch started; an unknown `kid` refetches only `keyRefetchInterval` after it.
    private var lastKeyFetchAt: Date?
    /// The JWKS fetch in flight, if any: concurrent callers wait for it instead of fetching again.
    private var keyFetch: Task<Void, any Error>?
    /// A refetch scheduled by `verifyCached` for an unknown `kid`.
    private var scheduledKeyFetch: Task<Void, Never>?

    /// The longest token we parse: Dex's are ~1–2 KiB even with many groups; this bounds work per request.
    package static let maximumTokenLength = 64 << 10
    /// A discovery document or a JWKS larger than this is refused.
    package static let metadataBodyLimit = 512 << 10

    /// - Parameter observer: told of each JWKS fetch's result (metrics); nil: nobody is.
    package init(settings: OIDCClientSettings, transport: any HTTPTransport, observer: (any OIDCClientObserver)? = nil)
    {
        self.settings = settings
        self.transport = transport
        self.validator = settings.validator
        self.observer = observer
    }

    // MARK: Loading

    /// Fetches the discovery document, checks its issuer, then fetches the JWKS. A failure is recorded in
    /// `status` and thrown; what was loaded before stays in use (a provider outage must not break sessions).
    package func load(now: Date) async throws(OIDCError) {
        let fetched: ProviderMetadata
        do throws(OIDCError) {
            guard let url = ProviderMetadata.discoveryURL(issuer: settings.issuer) else {
                throw OIDCError.invalidDiscoveryDocument.detail("provider-uri is not an http(s) URL")
            }
            let response = try await get(url, endpoint: .discovery)
            fetched = try ProviderMetadata.decode(response.body, expectedIssuer: settings.issuer)
        } catch {
            recordFailure(error, now: now)
            throw error
        }
        metadata = fetched
        status.metadataLoaded = true
        try await fetchKeys(now: now)
        status.lastSuccessAt = now
    }

    /// Fetches the JWKS now, or waits for the fetch already in flight, and replaces the keys.
    private func fetchKeys(now: Date) async throws(OIDCError) {
        if let inFlight = keyFetch { return try await Self.wait(for: inFlight) }
        guard let url = metadata?.jwksURL else { throw .notLoaded }
        let task = Task { try await self.replaceKeys(from: url, now: now) }
        keyFetch = task
        defer { keyFetch = nil }
        try await Self.wait(for: task)
    }

    /// The fetch itself; the keys are replaced before the task ends, so everyone waiting sees them.
    private func replaceKeys(from url: URL, now: Date) async throws(OIDCError) {
        lastKeyFetchAt = now
        status.keyFetches += 1
        do {
            let response = try await get(url, endpoint: .jwks)
            let loaded = try await SigningKeys.load(jwks: response.body)
            keys = loaded
            status.keyCount = loaded.count
            status.keysLoadedAt = now
            observer?.keySetFetched(error: nil)
        } catch {
            recordFailure(error, now: now)
            observer?.keySetFetched(error: error)
            throw error
        }
    }

    /// Refetches the JWKS for an unknown `kid` unless one was fetched within `keyRefetchInterval`.
    /// Returns whether keys were (re)loaded, so the caller knows whether another look is worthwhile.
    ///
    /// `waitForRateLimit` (the callback): a provider may rotate its keys just after our last fetch; rather than
    /// fail that login, wait out the rest of the interval (at most `keyRefetchInterval`) and fetch then. Callbacks
    /// waiting together share one fetch, so made-up kids still cost the provider one fetch per interval.
    private func refetchKeysIfAllowed(now: Date, waitForRateLimit: Bool = false) async -> Bool {
        if let inFlight = keyFetch { return (try? await Self.wait(for: inFlight)) != nil }
        guard metadata != nil else { return false }
        guard !refetchAllowed(now: now) else { return (try? await fetchKeys(now: now)) != nil }
        guard waitForRateLimit, let last = lastKeyFetchAt else { return false }
        // A `now` behind the last fetch (request clocks count whole seconds) waits the whole interval.
        let remaining = settings.keyRefetchInterval - max(now.timeIntervalSince(last), 0)
        guard remaining > 0, (try? await Task.sleep(for: .seconds(remaining))) != nil else { return false }
        // Another waiter may have fetched meanwhile: then the keys are fresh, look again.
        if lastKeyFetchAt != last { return true }
        if let inFlight = keyFetch { return (try? await Self.wait(for: inFlight)) != nil }
        return (try? await fetchKeys(now: last.addingTimeInterval(settings.keyRefetchInterval))) != nil
    }

    private func refetchAllowed(now: Date) -> Bool {
        guard metadata != nil else { return false }
        guard let lastKeyFetchAt else { return true }
        // `abs`: a clock that stepped back must not block refetches for good.
        return abs(now.timeIntervalSince(lastKeyFetchAt)) >= settings.keyRefetchInterval
    }

    /// For the hot path: start a refetch in the background, at most one at a time and within the rate limit.
    private func scheduleKeyRefetch(now: Date) {
        guard scheduledKeyFetch == nil, keyFetch == nil, refetchAllowed(now: now) else { return }
        scheduledKeyFetch = Task {
            _ = await self.refetchKeysIfAllowed(now: now)
            self.scheduledKeyFetch = nil
        }
    }

    /// Waits until a refetch scheduled by `verifyCached` has finished (tests).
    package func waitForScheduledKeyRefetch() async {
        await scheduledKeyFetch?.value
    }

    private static func wait(for task: Task<Void, any Error>) async throws(OIDCError) {
        do {
            try await task.value
        } catch {
            throw (error as? OIDCError) ?? OIDCError.transportFailed
        }
    }

    private func recordFailure(_ error: OIDCError, now: Date) {
        status.failures += 1
        status.lastError = error.description
        status.lastErrorAt = now
    }

    // MARK: Verification

    /// Verifies an ID token: `kid` against the loaded JWKS (refetched once, rate-limited, when unknown),
    /// algorithm, signature, then every claim rule of `IDTokenValidator`.
    /// For the callback, where waiting for the provider is fine; the hot path uses `verifyCached`. The actor is
    /// entered only to refetch keys: logins verify side by side.
    /// - Parameter expectedNonce: the nonce this login sent; nil when none is expected.
    package nonisolated func verify(
        idToken: String, expectedNonce: String?, policy: AudiencePolicy, now: Date
    ) async throws(IDTokenError) -> IDTokenClaims {
        // A callback can arrive before the loader's first JWKS fetch succeeded: try once ourselves.
        if loadedKeys.keys == nil { _ = await refetchKeysIfAllowed(now: now) }
        do throws(IDTokenError) {
            do {
                return try verifyWithLoadedKeys(idToken, expectedNonce: expectedNonce, policy: policy, now: now)
            } catch {
                // An unknown kid: the provider may have rotated its keys since we fetched them.
                guard error == .unknownKeyIdentifier, await refetchKeysIfAllowed(now: now, waitForRateLimit: true)
                else { throw error }
                return try verifyWithLoadedKeys(idToken, expectedNonce: expectedNonce, policy: policy, now: now)
            }
        } catch {
            observer?.idTokenRefused(error.reason)
            throw error
        }
    }

    /// Verifies an ID token with the keys already loaded, never waiting for the network and never for the actor:
    /// for Bearer tokens on the hot path. An unknown `kid` is refused at once and schedules a background JWKS
    /// refetch (within the same rate limit), so a token signed with a freshly rotated key passes on a later request.
    package nonisolated func verifyCached(idToken: String, policy: AudiencePolicy, now: Date) async throws(IDTokenError)
        -> IDTokenClaims
    {
        do {
            return try verifyWithLoadedKeys(idToken, expectedNonce: nil, policy: policy, now: now)
        } catch {
            observer?.idTokenRefused(error.reason)
            if error == .unknownKeyIdentifier { await scheduleKeyRefetch(now: now) }
            throw error
        }
    }

    /// Header first, then the key it names, then the signature, and only then the payload and its claims.
    private nonisolated func verifyWithLoadedKeys(
        _ token: String, expectedNonce: String?, policy: AudiencePolicy, now: Date
    ) throws(IDTokenError) -> IDTokenClaims {
        guard token.utf8.count <= Self.maximumTokenLength else {
            throw .malformedToken.detail("longer than \(Self.maximumTokenLength) bytes")
        }
        guard let jws = CompactJWS(token) else { throw .malformedToken }
        let header = jws.header
        // Asymmetric algorithms only: `none` has no signature, and HS* would turn a public key into an HMAC secret.
        guard let algorithm = header.alg, SigningKeys.allowedAlgorithms.contains(algorithm) else {
            throw .algorithmNotAllowed.detail("alg \"\(loggable(header.alg ?? "(missing)", limit: 20))\"")
        }
        guard header.fields["crit"] == nil else { throw .criticalHeaderUnsupported }
        guard header.fields["kid"] == nil || header.kid != nil else {
            throw .malformedToken.detail("kid is not a string")
        }
        guard let keys = loadedKeys.keys else { throw .keysUnavailable }
        // Only the kids of this JWKS: JWTKit's collection would fall back to its default key for another.
        let key: SigningKeys.Key
        switch keys.select(kid: header.kid) {
        case .unknownKid:
            throw .unknownKeyIdentifier.detail("kid \"\(loggable(header.kid ?? "", limit: 80))\"")
        case .missingKid:
            throw .missingKeyIdentifier.detail("\(keys.count) keys loaded")
        case .key(let selected):
            guard selected.algorithm == algorithm else {
                throw .algorithmMismatch.detail("token says \(algorithm), its key is for \(selected.algorithm)")
            }
            key = selected
        }
        let payload: IDTokenPayload
        do {
            payload = try jws.verifiedPayload(with: key.verifier)
        } catch .signature {
            throw .signatureInvalid
        } catch {
            throw .malformedToken.detail("payload is not a JSON object")
        }
        return try validator.validate(payload, expectedNonce: expectedNonce, policy: policy, now: now)
    }

    // MARK: Transport

    private func get(_ url: URL, endpoint: ProviderEndpoint) async throws(OIDCError) -> OutboundResponse {
        let what = endpoint == .jwks ? "JWKS" : "discovery"
        let request = OutboundRequest(
            method: "GET", url: url, headers: [("Accept", "application/json")],
            responseBodyLimit: Self.metadataBodyLimit, endpoint: endpoint)
        let response = try await send(request, what: what)
        guard response.status == 200 else {
            throw .unexpectedStatus.detail(
                "\(what) \(loggable(url.absoluteString, limit: 200)) answered \(response.status)")
        }
        return response
    }

    /// Sends a request; a transport failure or an oversized body becomes an `OIDCError` naming `what`.
    package nonisolated func send(_ request: OutboundRequest, what: String) async throws(OIDCError) -> OutboundResponse
    {
        var request = request
        // Continue the trace of the request being answered (the callback's token exchange, a JWKS refetch it
        // triggers) as a child span; the periodic loads belong to no request and carry none.
        if let trace = TraceContext.current {
            request.headers.append(("traceparent", trace.traceparent(childSpanID: TraceContext.newSpanID())))
            if let state = trace.traceState { request.headers.append(("tracestate", state)) }
        }
        let response: OutboundResponse
        do {
            response = try await transport.send(request)
        } catch {
            let url = loggable(request.url.absoluteString, limit: 200)
            throw .transportFailed.detail("\(what) \(url): \(loggable(String(describing: error), limit: 200))")
        }
        guard response.body.count <= request.responseBodyLimit else {
            throw .responseTooLarge.detail("\(what), more than \(request.responseBodyLimit) bytes")
        }
        return response
    }
}

extension OIDCClient {
    /// The key set in use and how many key sets were loaded up to it.
    package struct LoadedKeys: Sendable {
        package let keys: SigningKeys?
        package let generation: Int
    }
}
