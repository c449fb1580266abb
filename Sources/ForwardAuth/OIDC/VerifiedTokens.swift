import Synchronization

/// Bearer ID tokens whose signature and claims were verified, by their exact value, so that an API client's
/// repeated token is answered without JWTKit (about 165 µs and 786 allocations per token, docs/benchmarks.md)
/// and without waiting for the OIDC client's actor.
///
/// What keeps this as strict as verifying every time:
/// - Only tokens that verified are kept; a bad token is verified (and refused) every time.
/// - The same bytes verify the same way under the same keys: an entry counts only while the key set it was
///   verified with is the current one (`keySet`), so a JWKS change drops every entry.
/// - The time claims (`exp`, `nbf`, `iat`, with the validator's leeway) are checked again on every request.
/// - Keys compare in constant time (`SecretKey`).
/// - Bounded: past `capacity` entries an arbitrary one is dropped for each new one.
final class VerifiedTokens: Sendable {
    private struct Entry: Sendable {
        let claims: IDTokenClaims
        let keySet: Int
    }

    let capacity: Int
    private let entries = Mutex<[SecretKey: Entry]>([:])

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The claims of `token`, if it verified under key set `keySet`.
    func claims(for token: String, keySet: Int) -> IDTokenClaims? {
        entries.withLock { entries in
            guard let entry = entries[SecretKey(token)], entry.keySet == keySet else { return nil }
            return entry.claims
        }
    }

    func remember(_ claims: IDTokenClaims, for token: String, keySet: Int) {
        entries.withLock { entries in
            if entries.count >= capacity, let any = entries.indices.first { entries.remove(at: any) }
            entries[SecretKey(token)] = Entry(claims: claims, keySet: keySet)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
