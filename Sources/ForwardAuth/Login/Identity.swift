import ForwardAuthOIDC

/// Who the provider says the user is, after every claim was checked.
package struct Identity: Sendable, Hashable {
    package var email: String
    /// `name`, else `preferred_username`, else the email.
    package var displayName: String
    package var groups: [String]
    /// Every claim of the verified ID token, for `claim-header` mappings.
    package var claims: [String: ClaimValue]
    /// The token's `exp`, seconds since 1970: a session minted from a brokered token ends by then.
    package var expiresAt: Int64?
    /// The token's `iat` and `sub`: a brokered token's age, and the subject a refresh must keep.
    package var issuedAt: Int64?
    package var subject: String?

    package init(
        email: String, displayName: String, groups: [String], claims: [String: ClaimValue] = [:],
        expiresAt: Int64? = nil
    ) {
        self.email = email
        self.displayName = displayName
        self.groups = groups
        self.claims = claims
        self.expiresAt = expiresAt
    }
}
