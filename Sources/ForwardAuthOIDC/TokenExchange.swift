import ForwardAuthWire
import Foundation

/// The back-channel half of the code flow: redeeming an authorization code at the token endpoint.
///
/// Pure: builds the request and reads the response; `OIDCClient.exchange` sends it.
package enum TokenExchange {
    /// 256 KiB: an ID token with many groups fits many times over.
    package static let responseBodyLimit = 256 << 10

    /// The `authorization_code` grant with the PKCE verifier, authenticated with `client_secret_basic`.
    package static func request(
        endpoint: URL, clientID: String, clientSecret: Secret, code: String, codeVerifier: String,
        redirectURI: String
    ) -> OutboundRequest {
        let body = FormURLEncoding.encode([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("code_verifier", codeVerifier),
        ])
        return OutboundRequest(
            method: "POST", url: endpoint,
            headers: [
                ("Authorization", basicAuthorization(clientID: clientID, clientSecret: clientSecret)),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            body: Array(body.utf8), responseBodyLimit: responseBodyLimit, endpoint: .token)
    }

    /// `client_secret_basic` (RFC 6749 §2.3.1): the client id and the secret are each form-encoded *before*
    /// they are joined with `:` and base64-encoded; Dex form-decodes them, so a secret with `+`, `%`, `:` or a
    /// space only works this way.
    package static func basicAuthorization(clientID: String, clientSecret: Secret) -> String {
        let credentials = FormURLEncoding.encode(clientID) + ":" + FormURLEncoding.encode(clientSecret.revealString())
        return "Basic " + Data(credentials.utf8).base64EncodedString()
    }

    /// Reads the token endpoint's answer. A non-2xx answer becomes `OIDCError.tokenEndpointError` with the
    /// status and the OAuth `error` code (and `error_description`), never anything else from the body.
    package static func response(_ response: OutboundResponse) throws(OIDCError) -> TokenResponse {
        guard response.body.count <= responseBodyLimit else {
            throw .responseTooLarge.detail("token endpoint, \(response.body.count) bytes")
        }
        guard response.isSuccess else {
            var detail = "status \(response.status)"
            if let failure = try? JSONDecoder().decode(OAuthFailure.self, from: Data(response.body)) {
                detail += ", error \"\(loggable(failure.error, limit: 60))\""
                if let description = failure.errorDescription {
                    detail += ": \(loggable(description, limit: 200))"
                }
            }
            throw .tokenEndpointError.detail(detail)
        }
        let decoded: TokenResponse
        do {
            decoded = try JSONDecoder().decode(TokenResponse.self, from: Data(response.body))
        } catch {
            // The body holds tokens: say only what was wrong with it.
            if case .keyNotFound(TokenResponse.CodingKeys.idToken, _)? = error as? DecodingError {
                throw .missingIDToken
            }
            throw .invalidTokenResponse.detail("not a token response (status \(response.status))")
        }
        guard !decoded.idToken.isEmpty else { throw .missingIDToken }
        return decoded
    }

    /// RFC 6749 §5.2.
    private struct OAuthFailure: Decodable {
        var error: String
        var errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }
}

/// A successful token response (RFC 6749 §5.1 plus OpenID Connect's `id_token`).
///
/// Printing it shows only which tokens are present, never their values.
package struct TokenResponse: Sendable, Hashable, Decodable, CustomStringConvertible {
    package var idToken: String
    package var accessToken: String?
    package var tokenType: String?
    /// Seconds the access token lives.
    package var expiresIn: Int?
    package var refreshToken: String?

    package init(
        idToken: String, accessToken: String? = nil, tokenType: String? = nil, expiresIn: Int? = nil,
        refreshToken: String? = nil
    ) {
        self.idToken = idToken
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
    }

    package enum CodingKeys: String, CodingKey {
        case idToken = "id_token"
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        idToken = try container.decode(String.self, forKey: .idToken)
        accessToken = try? container.decodeIfPresent(String.self, forKey: .accessToken)
        tokenType = try? container.decodeIfPresent(String.self, forKey: .tokenType)
        // Some providers send `expires_in` as a string; it is informational, so a bad one is just absent.
        expiresIn =
            (try? container.decodeIfPresent(Int.self, forKey: .expiresIn))
            ?? (try? container.decodeIfPresent(String.self, forKey: .expiresIn)).flatMap { $0.flatMap { Int($0) } }
        refreshToken = try? container.decodeIfPresent(String.self, forKey: .refreshToken)
    }

    package var description: String {
        let access = accessToken == nil ? "none" : "<redacted>"
        let refresh = refreshToken == nil ? "none" : "<redacted>"
        let type = tokenType.map { loggable($0, limit: 20) } ?? "none"
        let lifetime = expiresIn.map(String.init) ?? "none"
        return "TokenResponse(id_token: <redacted>, access_token: \(access), refresh_token: \(refresh), "
            + "token_type: \(type), expires_in: \(lifetime))"
    }
}
