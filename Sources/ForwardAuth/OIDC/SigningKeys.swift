import Foundation
import JWTKit

/// The provider's signing keys from one JWKS fetch, in a `JWTKeyCollection` of their own.
///
/// Guarantees, so that JWTKit's fallback to a default key for an unknown `kid` can never be reached:
/// - Only asymmetric signature keys enter (RSA, EC, OKP); `oct` (HMAC) keys, encryption keys (`use: enc`,
///   `RSA-OAEP`) and keys JWTKit cannot read are skipped.
/// - Each key is pinned to one algorithm: its JWK `alg`, else the one its type implies (RSA → RS256, the
///   OpenID Connect default; EC → ES256/384/512 by curve; OKP → EdDSA). A token must name that algorithm.
/// - `select(kid:)` answers only for kids in this JWKS; a token without `kid` gets a key only when the JWKS
///   holds exactly one.
/// A refetch builds a new value, so a rotated-out key is gone at once.
struct SigningKeys: Sendable {
    let collection: JWTKeyCollection
    /// kid → the algorithm that key verifies.
    private let algorithms: [String: String]
    /// The algorithm of the only key, when there is exactly one (for tokens without `kid`).
    private let soleAlgorithm: String?

    var count: Int { algorithms.count + (algorithms.isEmpty && soleAlgorithm != nil ? 1 : 0) }

    /// Algorithms we ever verify with: asymmetric signatures only (no `none`, no HS*).
    static let allowedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    enum Selection: Equatable {
        /// The key to use; the token's `alg` must be this.
        case key(algorithm: String)
        case unknownKid
        case missingKid
    }

    func select(kid: String?) -> Selection {
        guard let kid else { return soleAlgorithm.map { .key(algorithm: $0) } ?? .missingKid }
        return algorithms[kid].map { .key(algorithm: $0) } ?? .unknownKid
    }

    /// Parses a JWKS response body.
    static func load(jwks body: [UInt8]) async throws(OIDCError) -> SigningKeys {
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

        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        var soleAlgorithm: String?
        for var jwk in selectable {
            guard let algorithm = jwk.algorithm?.rawValue else { continue }
            let kid = jwk.keyIdentifier?.string
            if let kid, algorithms[kid] != nil { continue }  // a duplicate kid is ambiguous: the first wins
            // JWTKit needs a kid; a sole kid-less key gets one no token can name (`select` never looks it up).
            if kid == nil { jwk.keyIdentifier = JWKIdentifier(string: "\u{0}sole-key") }
            do {
                try await collection.add(jwk: jwk)
            } catch {
                continue  // unreadable key material: skip this key, keep the others
            }
            if let kid { algorithms[kid] = algorithm }
            if usable.count == 1 { soleAlgorithm = algorithm }
        }
        guard !algorithms.isEmpty || soleAlgorithm != nil else {
            throw .noUsableKeys.detail("\(entries.count) keys listed, none an asymmetric signing key we can use")
        }
        return SigningKeys(collection: collection, algorithms: algorithms, soleAlgorithm: soleAlgorithm)
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
