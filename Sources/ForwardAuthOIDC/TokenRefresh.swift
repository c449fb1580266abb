import ForwardAuthWire
import Foundation

/// The `refresh_token` grant (RFC 6749 §6) and what its answer means for a session, by Dex's rules
/// (docs/multi-cluster.md "Silent refresh"). Pure: builds the request and reads the answer; `OIDCClient.refresh`
/// sends it.
package enum TokenRefresh {
    /// What the token endpoint said.
    package enum Outcome: Sendable, Hashable {
        /// 200: new tokens. Dex sends an ID token (`nonce` kept, fresh `iat`); glewlwyd may send none.
        case refreshed(Tokens)
        /// 400: Dex no longer honours this refresh token (claimed by a concurrent refresh, expired, revoked; v2.45.1
        /// says `invalid_request`, another client's token `invalid_grant`). The session keeps to its hard end.
        case refused
        /// 500: Dex v2.45.1's answer for a user removed upstream or a connector that failed (and for the loser of a
        /// refresh race, whose retry then gets a 400).
        case failed
        /// No usable answer: a connection error, a timeout, 502/503/504, or anything else. The session is kept.
        case unavailable(String)
    }

    package struct Tokens: Sendable, Hashable, CustomStringConvertible {
        package var idToken: String?
        package var refreshToken: String?
        package var accessToken: String?

        /// Never the tokens themselves.
        package var description: String {
            "tokens(id: \(idToken != nil), refresh: \(refreshToken != nil), access: \(accessToken != nil))"
        }
    }

    package static func request(endpoint: URL, clientID: String, clientSecret: Secret, refreshToken: String)
        -> OutboundRequest
    {
        let body = FormURLEncoding.encode([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
        return OutboundRequest(
            method: "POST", url: endpoint,
            headers: [
                (
                    "Authorization",
                    TokenExchange.basicAuthorization(clientID: clientID, clientSecret: clientSecret)
                ),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ],
            body: Array(body.utf8), responseBodyLimit: TokenExchange.responseBodyLimit, endpoint: .token)
    }

    package static func outcome(_ response: OutboundResponse) -> Outcome {
        switch response.status {
        case 200..<300:
            guard
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            else { return .unavailable("the refresh answer is not a JSON object") }
            let tokens = Tokens(
                idToken: (object["id_token"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                refreshToken: (object["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                accessToken: (object["access_token"] as? String).flatMap { $0.isEmpty ? nil : $0 })
            guard tokens.idToken != nil || tokens.accessToken != nil else {
                return .unavailable("the refresh answer holds neither an ID token nor an access token")
            }
            return .refreshed(tokens)
        case 400: return .refused
        case 500: return .failed
        default: return .unavailable("status \(response.status)")
        }
    }

    /// The `sub` of a userinfo answer; nil when there is none.
    package static func userinfoSubject(_ response: OutboundResponse) -> String? {
        guard response.isSuccess,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let subject = object["sub"] as? String, !subject.isEmpty
        else { return nil }
        return subject
    }
}

extension OIDCClient {
    /// Refreshes at the token endpoint (`client_secret_basic`). A transport failure is `unavailable`, never
    /// thrown: the caller keeps the session.
    package func refresh(refreshToken: String) async -> TokenRefresh.Outcome {
        guard let endpoint = metadata?.tokenEndpointURL else { return .unavailable("discovery is not loaded") }
        let request = TokenRefresh.request(
            endpoint: endpoint, clientID: settings.clientID, clientSecret: settings.clientSecret,
            refreshToken: refreshToken)
        do {
            return TokenRefresh.outcome(try await send(request, what: "token endpoint (refresh)"))
        } catch {
            return .unavailable(error.description)
        }
    }

    /// The subject the userinfo endpoint names for `accessToken`; nil when it cannot be asked or does not say.
    package func userinfoSubject(accessToken: String) async -> String? {
        guard let endpoint = metadata?.userinfoEndpointURL else { return nil }
        let request = OutboundRequest(
            method: "GET", url: endpoint,
            headers: [("Authorization", "Bearer " + accessToken), ("Accept", "application/json")], body: [],
            responseBodyLimit: TokenExchange.responseBodyLimit, endpoint: .userinfo)
        guard let response = try? await send(request, what: "userinfo endpoint") else { return nil }
        return TokenRefresh.userinfoSubject(response)
    }
}
