import ForwardAuthWire
import Foundation

/// What the OIDC client needs from the configuration.
///
/// Printing it never shows the client secret (`Secret` redacts itself).
package struct OIDCClientSettings: Sendable {
    /// `provider-uri` exactly as configured: discovery must name this issuer and every ID token's `iss`
    /// must equal it.
    package var issuer: String
    package var clientID: String
    package var clientSecret: Secret
    /// Requested at the authorization endpoint (`scope`).
    package var scopes: [String]
    /// The claim holding the user's groups (`groups-attribute-name`).
    package var groupsClaim: String
    /// Allowed clock skew for `exp`, `nbf` and `iat`, in seconds.
    package var leeway: TimeInterval
    /// An unknown `kid` makes us refetch the JWKS at most this often, in seconds: tokens with made-up kids
    /// cannot turn us into a load generator against the provider. A callback waits out the rest of it rather
    /// than fail, so it is also the longest a login waits after a key rotation.
    package var keyRefetchInterval: TimeInterval
    /// Audiences besides `clientID` that Bearer tokens may carry (`trusted-audience`; Dex trustedPeers).
    package var trustedAudiences: Set<String> = []

    /// The peers our scopes ask Dex to add to `aud` (`audience:server:client_id:<peer>`): our own login's token
    /// names them (`AudiencePolicy.callbackRequesting`).
    package var requestedAudiences: Set<String> {
        let prefix = "audience:server:client_id:"
        return Set(
            scopes.filter { $0.hasPrefix(prefix) && $0.count > prefix.count }.map { String($0.dropFirst(prefix.count)) }
        )
    }

    /// How our own login's token is checked: with the audiences the scopes asked for, if any.
    package var callbackPolicy: AudiencePolicy {
        let requested = requestedAudiences
        return requested.isEmpty ? .callback : .callbackRequesting(audiences: requested)
    }

    package init(
        issuer: String, clientID: String, clientSecret: Secret,
        scopes: [String] = ["openid", "profile", "email", "groups"], groupsClaim: String = "groups",
        leeway: TimeInterval = 60, keyRefetchInterval: TimeInterval = 5
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.groupsClaim = groupsClaim
        self.leeway = leeway
        self.keyRefetchInterval = keyRefetchInterval
    }

    package var validator: IDTokenValidator {
        IDTokenValidator(issuer: issuer, clientID: clientID, groupsClaim: groupsClaim, leeway: leeway)
    }
}
