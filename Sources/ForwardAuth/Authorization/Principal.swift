import ForwardAuthOIDC

/// Who is asking, once a session cookie or a Bearer ID token identified them: what authorization judges and
/// what the identity headers tell the upstream.
package struct Principal: Sendable, Hashable {
    package var email: String
    /// The token's groups, without `group-claim-prefix`.
    package var groups: [String]
    /// The claims `claim-header` maps to headers (the groups claim excepted: it is `groups`).
    package var claims: [NamedClaim]
    /// The raw ID token, kept only when `forward-token-header-name` forwards it.
    package var idToken: String?

    package init(email: String, groups: [String], claims: [NamedClaim] = [], idToken: String? = nil) {
        self.email = email
        self.groups = groups
        self.claims = claims
        self.idToken = idToken
    }

    package init(_ session: Session) {
        self.init(email: session.email, groups: session.groups, claims: session.claims, idToken: session.idToken)
    }
}

extension ClaimValue {
    /// A string, number or boolean as text; nil for `null`, lists and objects.
    var scalarText: String? {
        switch self {
        case .string(let value): value
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .null, .array, .object: nil
        }
    }
}
