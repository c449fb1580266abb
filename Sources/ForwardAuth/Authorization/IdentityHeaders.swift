import ForwardAuthOIDC

/// The headers that tell the upstream who is calling: what Traefik copies through `authResponseHeaders`.
///
/// - each `email-header-names` header carries the email;
/// - each `claim-header` carries one claim, its values joined with `,` (as oauth2-proxy's
///   `X-Auth-Request-Groups`), a `,` or `%` inside a value percent-encoded; a claim the token lacks sends none;
/// - `forward-token-header-name` carries `forward-token-prefix` + the raw ID token;
/// - impersonation (COMPAT.md): `Authorization: Bearer <service-account token>`, `Impersonate-User: <email>`,
///   `Impersonate-Group: system:authenticated` and one `Impersonate-Group: <prefix><group>` per group.
/// Control characters in a value become spaces: a claim can never split or forge a header.
///
/// All but the email headers are *upstream-only*: the service-account token grants whatever the chart's role
/// grants (`impersonate`: one header away from `system:masters`), and claims and the ID token are for the app
/// alone. They go only into the answer to a proxy's auth subrequest (`ForwardedRequest.isAuthSubrequest`), which
/// the proxy copies upstream; an answer a client reads directly carries the email headers alone.
package struct IdentityHeaders: Sendable {
    /// `claim-header HEADER=claim`.
    package struct ClaimHeader: Sendable, Hashable {
        package var header: String
        package var claim: String

        package init(header: String, claim: String) {
            self.header = header
            self.claim = claim
        }
    }

    package struct TokenForwarding: Sendable, Hashable {
        package var header: String
        package var prefix: String

        package init(header: String, prefix: String) {
            self.header = header
            self.prefix = prefix
        }
    }

    package struct Impersonation: Sendable {
        package var groupPrefix: String
        package var token: ServiceAccountToken

        package init(groupPrefix: String, token: ServiceAccountToken) {
            self.groupPrefix = groupPrefix
            self.token = token
        }
    }

    package var emailHeaderNames: [String]
    package var claimHeaders: [ClaimHeader]
    /// The claim that holds groups (`groups-attribute-name`): a `claim-header` on it sends the session's groups.
    package var groupsClaim: String
    package var tokenForwarding: TokenForwarding?
    package var impersonation: Impersonation?

    package init(
        emailHeaderNames: [String] = ["X-Forwarded-User"], claimHeaders: [ClaimHeader] = [],
        groupsClaim: String = "groups", tokenForwarding: TokenForwarding? = nil, impersonation: Impersonation? = nil
    ) {
        self.emailHeaderNames = emailHeaderNames
        self.claimHeaders = claimHeaders
        self.groupsClaim = groupsClaim
        self.tokenForwarding = tokenForwarding
        self.impersonation = impersonation
    }

    /// The claims a session keeps for `claimHeaders` (the groups claim is kept as the groups).
    package var sessionClaimNames: [String] {
        var names: [String] = []
        for mapping in claimHeaders where mapping.claim != groupsClaim && !names.contains(mapping.claim) {
            names.append(mapping.claim)
        }
        return names
    }

    /// The claims of a verified token that a session or a Bearer request keeps.
    package func keptClaims(of claims: [String: ClaimValue]) -> [NamedClaim] {
        sessionClaimNames.compactMap { NamedClaim(name: $0, from: claims) }
    }

    /// Why identity headers cannot be sent.
    package enum Unavailable: Error, Sendable, Hashable {
        /// Impersonation is on and the service-account token has not been read (yet).
        case serviceAccountToken
    }

    /// Whether any upstream-only header is configured (claim headers, a forwarded token, impersonation).
    package var hasUpstreamOnlyHeaders: Bool {
        !claimHeaders.isEmpty || tokenForwarding != nil || impersonation != nil
    }

    /// The headers for `principal`, in a stable order.
    /// - Parameter upstreamOnly: include the upstream-only headers; only for a proxy's auth subrequest.
    package func headers(for principal: Principal, upstreamOnly: Bool) throws(Unavailable)
        -> [(name: String, value: String)]
    {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(emailHeaderNames.count + claimHeaders.count + 2)
        let email = Self.headerSafe(principal.email)
        for name in emailHeaderNames { headers.append((name, email)) }
        guard upstreamOnly else { return headers }
        for mapping in claimHeaders {
            let values: [String]?
            if mapping.claim == groupsClaim {
                values = principal.groups
            } else {
                values = principal.claims.first(where: { $0.name == mapping.claim })?.values
            }
            if let values, !values.isEmpty {
                headers.append((mapping.header, Self.headerSafe(values.map(Self.listItem).joined(separator: ","))))
            }
        }
        if let tokenForwarding, let token = principal.idToken {
            headers.append((tokenForwarding.header, Self.headerSafe(tokenForwarding.prefix + token)))
        }
        if let impersonation {
            guard let token = impersonation.token.current else { throw .serviceAccountToken }
            headers.append(("Authorization", "Bearer " + Self.headerSafe(token)))
            headers.append(("Impersonate-User", email))
            headers.append(("Impersonate-Group", "system:authenticated"))
            for group in principal.groups
            where !KubernetesNames.isReservedGroup(group, prefix: impersonation.groupPrefix) {
                headers.append(("Impersonate-Group", Self.headerSafe(impersonation.groupPrefix + group)))
            }
        }
        return headers
    }

    /// One value of a comma-joined claim header: `,` and `%` percent-encoded (`%2C`, `%25`), so a value that holds
    /// the separator (`Doe, John`, a group `a,b`) is never read upstream as two. Proxies and frameworks join repeated
    /// fields with commas too, so one header per value would not help. Unchanged (no copy) without either byte.
    static func listItem(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "%") }) else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case ",": out += "%2C"
            case "%": out += "%25"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with every control character (CR, LF, NUL, DEL …) replaced by a space. Allocates only when one
    /// is present.
    static func headerSafe(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(decoding: text.utf8.map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
