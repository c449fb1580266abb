import JWTKit

/// An ID token's payload as JWTKit hands it over after checking the signature: the whole JSON object,
/// nothing interpreted yet.
///
/// Decoding never fails on a claim's type (only when the payload is not a JSON object), so a wrong-typed claim
/// becomes a precise `IDTokenError` from `IDTokenValidator` instead of a vague decoding failure.
package struct IDTokenPayload: JWTPayload, Hashable {
    package var claims: [String: ClaimValue]

    package init(claims: [String: ClaimValue]) {
        self.claims = claims
    }

    package init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    /// Nothing here: JWTKit calls this without a clock, and every claim rule needs `now`, the configured
    /// issuer or the nonce. `IDTokenValidator` checks the claims.
    package func verify(using algorithm: some JWTAlgorithm) async throws {}

    package subscript(claim: String) -> ClaimValue? { claims[claim] }
}
