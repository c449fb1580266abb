import Foundation

/// Who an ID token says the user is, after the signature and every claim rule passed
/// (made only by `IDTokenValidator`).
///
/// Guarantees: `issuer` is the configured issuer, `audience` contains the client id, the token was within its
/// validity window at the `now` it was checked with, `email` is a non-empty string and `emailVerified` is not
/// false. `raw` holds every claim as sent, for features that map arbitrary claims.
package struct IDTokenClaims: Sendable, Hashable {
    package var issuer: String
    package var subject: String
    /// `aud` as a list, whether the token sent a string or an array.
    package var audience: [String]
    /// `azp`, when present.
    package var authorizedParty: String?
    package var expiresAt: Date
    package var issuedAt: Date?
    package var notBefore: Date?
    package var nonce: String?
    package var email: String
    /// `email_verified` when the token states it (a `"true"`/`"false"` string is read as the boolean).
    package var emailVerified: Bool?
    package var name: String?
    package var preferredUsername: String?
    /// The configured groups attribute, as a list (a single string becomes one group); empty when absent.
    package var groups: [String]
    /// Every claim of the payload, unchanged.
    package var raw: [String: ClaimValue]

    package init(
        issuer: String, subject: String, audience: [String], authorizedParty: String? = nil, expiresAt: Date,
        issuedAt: Date? = nil, notBefore: Date? = nil, nonce: String? = nil, email: String,
        emailVerified: Bool? = nil, name: String? = nil, preferredUsername: String? = nil, groups: [String] = [],
        raw: [String: ClaimValue] = [:]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.authorizedParty = authorizedParty
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.nonce = nonce
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.preferredUsername = preferredUsername
        self.groups = groups
        self.raw = raw
    }

    /// What to call the user: `name`, else `preferred_username`, else the email (the first that is not empty).
    package var displayName: String {
        if let name, !name.isEmpty { return name }
        if let preferredUsername, !preferredUsername.isEmpty { return preferredUsername }
        return email
    }
}
