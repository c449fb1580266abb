import Foundation

/// A snapshot of what the OIDC client knows about the provider, for `/readyz`, `/metrics` and logs.
///
/// Safe to print: errors are `OIDCError` descriptions (URLs, statuses, OAuth codes, never a secret).
package struct ProviderStatus: Sendable, Hashable {
    /// The discovery document has been loaded (logins can start).
    package var metadataLoaded: Bool
    /// How many signing keys are loaded; 0 before the first successful JWKS fetch.
    package var keyCount: Int
    /// When the current keys were fetched.
    package var keysLoadedAt: Date?
    /// When discovery and keys last both loaded.
    package var lastSuccessAt: Date?
    /// The most recent failure (discovery, JWKS or token endpoint), if any; kept after a later success so an
    /// operator can see the last trouble, with `lastErrorAt` to judge it.
    package var lastError: String?
    package var lastErrorAt: Date?
    /// JWKS fetches attempted (scheduled loads and unknown-`kid` refetches), for metrics.
    package var keyFetches: Int
    /// Failed requests to the provider, for metrics.
    package var failures: Int

    package var keysLoaded: Bool { keyCount > 0 }

    package init(
        metadataLoaded: Bool = false, keyCount: Int = 0, keysLoadedAt: Date? = nil, lastSuccessAt: Date? = nil,
        lastError: String? = nil, lastErrorAt: Date? = nil, keyFetches: Int = 0, failures: Int = 0
    ) {
        self.metadataLoaded = metadataLoaded
        self.keyCount = keyCount
        self.keysLoadedAt = keysLoadedAt
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.keyFetches = keyFetches
        self.failures = failures
    }
}
