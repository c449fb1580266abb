/// Who the provider says the user is, after every claim was checked.
public struct Identity: Sendable, Hashable {
    public var email: String
    /// `name`, else `preferred_username`, else the email.
    public var displayName: String
    public var groups: [String]
    /// Every claim of the verified ID token, for `claim-header` mappings.
    public var claims: [String: ClaimValue]

    public init(email: String, displayName: String, groups: [String], claims: [String: ClaimValue] = [:]) {
        self.email = email
        self.displayName = displayName
        self.groups = groups
        self.claims = claims
    }
}
