import ForwardAuthOIDC

/// Why a login failed. `description` is for the log (never a token or secret); `page` for the person.
package struct LoginError: Error, Hashable, CustomStringConvertible {
    package enum Kind: Sendable, Hashable {
        /// The provider could not be reached or answered with an error (502).
        case providerUnavailable
        /// The provider's answer did not verify: bad token, wrong issuer, audience, nonce … (401).
        case invalidToken
        /// The token verified but names no usable email (403).
        case missingEmail
    }

    package let kind: Kind
    package let description: String
    /// The check that refused the ID token, when one did.
    package let tokenReason: IDTokenError.Reason?

    package init(_ kind: Kind, _ description: String, tokenReason: IDTokenError.Reason? = nil) {
        self.kind = kind
        self.description = description
        self.tokenReason = tokenReason
    }
}
