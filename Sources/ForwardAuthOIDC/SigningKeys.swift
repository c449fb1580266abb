import Foundation
import JWTKit

/// The provider's signing keys from one JWKS fetch, each resolved once to JWTKit's verifier for its algorithm.
///
/// Immutable and `Sendable`: any number of requests verify with it at once, without an actor (JWTKit's
/// `JWTKeyCollection` is one, and it would queue every Bearer token and login behind the others).
///
/// Guarantees:
/// - Only asymmetric signature keys enter (RSA, EC, OKP); `oct` (HMAC) keys, encryption keys (`use: enc`,
///   `RSA-OAEP`) and keys JWTKit cannot read are skipped.
/// - Each key is pinned to one algorithm: its JWK `alg`, else the one its type implies (RSA → RS256, the
///   OpenID Connect default; EC → ES256/384/512 by curve; OKP → EdDSA). A token must name that algorithm.
/// - `select(kid:)` answers only for kids in this JWKS; a token without `kid` gets a key only when the JWKS
///   holds exactly one.
/// A refetch builds a new value, so a rotated-out key is gone at once.
package struct SigningKeys: Sendable {
    /// One key: the algorithm it is pinned to, and JWTKit's verifier for it.
    package struct Key: Sendable {
        package let algorithm: String
        package let verifier: any JWTAlgorithm
    }

    /// kid → its key.
    private let keys: [String: Key]
    /// The only key, when there is exactly one (for tokens without `kid`).
    private let soleKey: Key?

    package var count: Int { keys.count + (keys.isEmpty && soleKey != nil ? 1 : 0) }

    /// Algorithms we ever verify with: asymmetric signatures only (no `none`, no HS*).
    package static let allowedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    package enum Selection {
        /// The key to use; the token's `alg` must be its algorithm.
        case key(Key)
        case unknownKid
        case missingKid
    }

    package func select(kid: String?) -> Selection {
        guard let kid else { return soleKey.map { .key($0) } ?? .missingKid }
        return keys[kid].map { .key($0) } ?? .unknownKid
    }

    /// Parses a JWKS response body.
    package static func load(jwks body: [UInt8]) async throws(OIDCError) -> SigningKeys {
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode(KeySet.self, from: Data(body)).keys
        } catch {
            throw .invalidKeySet.detail("not a JSON object with a \"keys\" array")
        }
        let usable = entries.compactMap { entry in
            entry.use == nil || entry.use == "sig" ? entry.key.flatMap(pinned) : nil
        }
        // A key without `kid` can be chosen only when it is the only one.
        let selectable = usable.count == 1 ? usable : usable.filter { $0.keyIdentifier != nil }

        // JWTKit turns a JWK into its verifier only inside a collection; the collection is not kept.
        let collection = JWTKeyCollection()
        var keys: [String: Key] = [:]
        var soleKey: Key?
        for var jwk in selectable {
            guard let algorithm = jwk.algorithm?.rawValue else { continue }
            let kid = jwk.keyIdentifier?.string
            if let kid, keys[kid] != nil { continue }  // a duplicate kid is ambiguous: the first wins
            // JWTKit needs a kid; a sole kid-less key gets one no token can name (`select` never looks it up).
            let storedKid = JWKIdentifier(string: kid ?? "\u{0}sole-key")
            jwk.keyIdentifier = storedKid
            let key: Key
            do {
                try await collection.add(jwk: jwk)
                key = Key(algorithm: algorithm, verifier: try await collection.getKey(for: storedKid, alg: algorithm))
            } catch {
                continue  // unreadable key material: skip this key, keep the others
            }
            if let kid { keys[kid] = key }
            if usable.count == 1 { soleKey = key }
        }
        guard !keys.isEmpty || soleKey != nil else {
            throw .noUsableKeys.detail("\(entries.count) keys listed, none an asymmetric signing key we can use")
        }
        return SigningKeys(keys: keys, soleKey: soleKey)
    }

    /// The key with its one algorithm set, or nil when its type and algorithm do not go together.
    private static func pinned(_ jwk: JWK) -> JWK? {
        let declared = jwk.algorithm?.rawValue
        let algorithm: String?
        switch jwk.keyType {
        case .rsa:
            algorithm = declared ?? "RS256"
            guard let algorithm, algorithm.hasPrefix("RS") || algorithm.hasPrefix("PS") else { return nil }
        case .ecdsa:
            let implied: String? =
                switch jwk.curve?.rawValue {
                case "P-256": "ES256"
                case "P-384": "ES384"
                case "P-521": "ES512"
                default: nil
                }
            guard let implied, declared == nil || declared == implied else { return nil }
            algorithm = implied
        case .octetKeyPair:
            guard declared == nil || declared == "EdDSA" else { return nil }
            algorithm = "EdDSA"
        default:
            return nil
        }
        guard let algorithm, allowedAlgorithms.contains(algorithm), let value = JWK.Algorithm(rawValue: algorithm)
        else {
            return nil
        }
        var key = jwk
        key.algorithm = value
        return key
    }

    private struct KeySet: Decodable {
        var keys: [Entry]
    }

    /// One JWKS entry, read leniently: a key JWTKit cannot decode (an `oct` key, an unknown curve) becomes nil
    /// instead of failing the whole set.
    private struct Entry: Decodable {
        var key: JWK?
        var use: String?

        enum CodingKeys: String, CodingKey { case use }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            use = try? container.decodeIfPresent(String.self, forKey: .use)
            key = try? JWK(from: decoder)
        }
    }
}
