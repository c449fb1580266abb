/// Which audiences and authorized parties an ID token may name, by where the token came from.
package enum AudiencePolicy: Sendable, Hashable {
    /// A token we just redeemed at the token endpoint for our own login: `aud` holds only the client id and
    /// `azp`, when present, is the client id.
    case callback
    /// Our own login's token when the configured scopes ask Dex for further audiences
    /// (`audience:server:client_id:<peer>`, which a peer's `trustedPeers` allows): `aud` may name those too, and
    /// `azp` is still only the client id. The SSO broker's cross-client form (docs/multi-cluster.md).
    case callbackRequesting(audiences: Set<String>)
    /// A token an API client presents as `Authorization: Bearer`: `aud` contains the client id and otherwise
    /// only trusted audiences; `azp`, when present, is the client id or a trusted audience (Dex's
    /// cross-client tokens: `aud` = [client id, peer], `azp` = peer).
    case bearer(trustedAudiences: Set<String>)
    /// A token the UI cluster's broker delivered to `<url-path>/sso/callback`: what a Bearer token may carry, or,
    /// on that endpoint only, `aud` exactly `[brokerAudience]` (the UI cluster's own Dex client, `azp` absent or
    /// the same) when `sso-broker-audience` names it.
    case brokered(trustedAudiences: Set<String>, brokerAudience: String?)

    /// Audiences accepted besides the client id.
    package var trustedAudiences: Set<String> {
        switch self {
        case .callback: []
        case .callbackRequesting(let requested): requested
        case .bearer(let trusted), .brokered(let trusted, _): trusted
        }
    }

    /// `azp` values accepted besides the client id: a token we asked for names us as its party.
    package var authorizedParties: Set<String> {
        switch self {
        case .callback, .callbackRequesting: []
        case .bearer(let trusted), .brokered(let trusted, _): trusted
        }
    }

    /// The one audience a brokered token may name instead of the client id.
    package var brokerAudience: String? {
        if case .brokered(_, let audience) = self { audience } else { nil }
    }
}
