import ForwardAuthWire
import Foundation

/// The parts of the provider's discovery document (`/.well-known/openid-configuration`) we use; other fields
/// are ignored.
package struct ProviderMetadata: Sendable, Hashable, Decodable {
    package var issuer: String
    package var authorizationEndpoint: String
    package var tokenEndpoint: String
    package var jwksURI: String
    /// Absent at released Dex; present at providers that support RP-initiated logout.
    package var endSessionEndpoint: String?
    /// Where a refresh without an ID token (glewlwyd's) finds the subject to compare.
    package var userinfoEndpoint: String?

    package init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String,
        endSessionEndpoint: String? = nil, userinfoEndpoint: String? = nil
    ) {
        self.userinfoEndpoint = userinfoEndpoint
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.endSessionEndpoint = endSessionEndpoint
    }

    package enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
    }

    /// Where the discovery document of `issuer` lives. A trailing `/` is removed before appending
    /// (OpenID Connect Discovery §4), so `https://dex.example.com/dex/` and `…/dex` both find Dex; the issuer
    /// check that follows still demands the configured string exactly.
    package static func discoveryURL(issuer: String) -> URL? {
        var base = Substring(issuer)
        while base.hasSuffix("/") { base = base.dropLast() }
        guard let url = URL(string: base + "/.well-known/openid-configuration"), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else { return nil }
        return url
    }

    /// Parses a discovery document and checks that it is for `expectedIssuer`, character for character.
    package static func decode(_ body: [UInt8], expectedIssuer: String) throws(OIDCError) -> ProviderMetadata {
        let metadata: ProviderMetadata
        do {
            metadata = try JSONDecoder().decode(ProviderMetadata.self, from: Data(body))
        } catch {
            throw .invalidDiscoveryDocument.detail(Self.missingField(error))
        }
        guard metadata.issuer == expectedIssuer else {
            let found = loggable(metadata.issuer, limit: 200)
            var detail = "the provider says \"\(found)\", provider-uri is \"\(loggable(expectedIssuer, limit: 200))\""
            if metadata.issuer + "/" == expectedIssuer {
                detail += " (remove the trailing '/' from provider-uri)"
            } else if metadata.issuer == expectedIssuer + "/" {
                detail += " (add a trailing '/' to provider-uri)"
            }
            throw .issuerMismatch.detail(detail)
        }
        for (field, value) in [
            ("authorization_endpoint", metadata.authorizationEndpoint), ("token_endpoint", metadata.tokenEndpoint),
            ("jwks_uri", metadata.jwksURI),
        ] where Self.httpURL(value) == nil {
            throw .invalidDiscoveryDocument.detail("\(field) is not an http(s) URL")
        }
        return metadata
    }

    package var tokenEndpointURL: URL? { Self.httpURL(tokenEndpoint) }
    package var userinfoEndpointURL: URL? { userinfoEndpoint.flatMap(Self.httpURL) }
    package var jwksURL: URL? { Self.httpURL(jwksURI) }

    package static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil
        else { return nil }
        return url
    }

    /// A decoding error reduced to the field it is about (the body itself is never printed).
    private static func missingField(_ error: any Error) -> String {
        let context: DecodingError.Context
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "missing \(key.stringValue)"
        case .typeMismatch(_, let found)?, .valueNotFound(_, let found)?: context = found
        default: return "not a JSON object"
        }
        guard !context.codingPath.isEmpty else { return "not a JSON object" }
        return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    }
}
