import ForwardAuthOIDC

/// Who the provider says the user is, after every claim was checked.
package struct Identity: Sendable, Hashable {
    package var email: String
    /// `name`, else `preferred_username`, else the email.
    package var displayName: String
    package var groups: [String]
    /// Every claim of the verified ID token, for `claim-header` mappings.
    package var claims: [String: ClaimValue]

    package init(email: String, displayName: String, groups: [String], claims: [String: ClaimValue] = [:]) {
        self.email = email
        self.displayName = displayName
        self.groups = groups
        self.claims = claims
    }
}
