import ForwardAuthWire

/// Bearer ID tokens whose signature and claims were verified, by their exact value, so that an API client's
/// repeated token is answered without JWTKit (about 165 µs and 786 allocations per token, docs/benchmarks.md)
/// and without waiting for the OIDC client's actor.
///
/// What keeps this as strict as verifying every time:
/// - Only tokens that verified are kept; a bad token is verified (and refused) every time.
/// - The same bytes verify the same way under the same keys: an entry counts only while the key set it was
///   verified with is the current one (`keySet`), so a JWKS change drops every entry.
/// - The time claims (`exp`, `nbf`, `iat`, with the validator's leeway) are checked again on every request.
/// - Keys compare in constant time (`SecretKey`); at most `capacity` (1,024 by default) are kept.
package final class VerifiedTokens: Sendable {
    private struct Entry: Sendable {
        let claims: IDTokenClaims
        let keySet: Int
    }

    private let entries: SecretCache<Entry>

    package init(capacity: Int = 1024) {
        entries = SecretCache(capacity: capacity)
    }

    /// The claims of `token`, if it verified under key set `keySet`.
    package func claims(for token: String, keySet: Int) -> IDTokenClaims? {
        entries.value(for: token).flatMap { $0.keySet == keySet ? $0.claims : nil }
    }

    package func remember(_ claims: IDTokenClaims, for token: String, keySet: Int) {
        entries.remember(Entry(claims: claims, keySet: keySet), for: token)
    }

    package var count: Int { entries.count }
}
