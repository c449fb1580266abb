import ForwardAuthWire

/// Opens the session cookies the Go traefik-forward-auth v3.3.0 wrote, so that a browser signed in before the
/// image was swapped stays signed in (for the email and groups it carries) until its session expires.
///
/// The fork keeps a session in two cookies sealed by gorilla/securecookie with `secret` (HMAC) and `encryption-key`
/// (AES-CTR): the ID cookie under `cookie-name` (`ID{Email, Token}`) and the claims cookie under
/// `claims-session-name` (a gorilla/sessions map holding `userInfo` JSON with the groups). Both must open, and the
/// groups are taken only when the claims cookie names the ID cookie's email: a claims cookie is never grafted onto
/// another user's ID. The fork logs in again without its claims cookie, and so does this.
///
/// Runs only when our own session cookie did not open (`SessionCookies.session(from:now:)`), so it costs nothing on
/// the hot path. Read-only: new logins always get forward-auth's own format.
package struct GoCookieReader: Sendable {
    package let idCookieName: String
    package let claimsCookieName: String
    private let codec: GoSecureCookie
    private let lifetime: Int64

    /// Nil when the fork could not have written a cookie with these keys: an empty secret, or an encryption key
    /// other than 16, 24 or 32 bytes (the fork's every `Encode` then failed).
    package init?(
        secret: [UInt8], encryptionKey: [UInt8]?, idCookieName: String, claimsCookieName: String, lifetime: Int64
    ) {
        guard let encryptionKey,
            let codec = GoSecureCookie(hashKey: secret, blockKey: encryptionKey, maximumAge: lifetime)
        else { return nil }
        self.codec = codec
        self.idCookieName = idCookieName
        self.claimsCookieName = claimsCookieName
        self.lifetime = lifetime
    }

    /// The session the fork's cookies in `cookies` establish at `now`, or why there is none.
    package func session(from cookies: some RequestCookies, now: Int64) -> Result<Session, GoCookieError> {
        guard let idValue = cookies.value(idCookieName) else { return .failure(.missingIDCookie) }
        let id: GoIDPayload
        let idDate: Int64
        switch codec.open(idValue, name: idCookieName, now: now) {
        case .failure(let error): return .failure(error)
        case .success(let opened):
            guard let payload = GoIDPayload(gob: opened.plaintext) else { return .failure(.unexpectedPayload) }
            id = payload
            idDate = opened.date
        }
        guard !id.email.isEmpty else { return .failure(.noEmail) }

        guard let claimsValue = cookies.value(claimsCookieName) else { return .failure(.missingClaimsCookie) }
        let claims: GoClaimsPayload
        switch codec.open(claimsValue, name: claimsCookieName, now: now) {
        case .failure(let error): return .failure(error)
        case .success(let opened):
            guard let payload = GoClaimsPayload(gob: opened.plaintext) else { return .failure(.unexpectedPayload) }
            claims = payload
        }
        // Bytes, not canonical equivalence: another normalization of the email is another user.
        guard claims.email.utf8.elementsEqual(id.email.utf8) else { return .failure(.claimsOfAnotherUser) }
        guard let groups = claims.groups else { return .failure(.noGroups) }

        let (expiresAt, overflow) = idDate.addingReportingOverflow(lifetime)
        return .success(
            Session(
                email: id.email, name: claims.username.isEmpty ? id.email : claims.username, groups: groups,
                issuedAt: idDate, expiresAt: overflow ? .max : expiresAt, id: [],
                idToken: id.token.isEmpty ? nil : id.token, source: .goCookie))
    }
}
