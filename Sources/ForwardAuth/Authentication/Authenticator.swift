import ForwardAuthWire

/// The first half of every judgement: the session cookie, then a Bearer token. No I/O: a session costs one
/// AES-GCM open (none for a cookie opened before); a Bearer token is only found here, and verified by
/// `BearerAuthenticator`.
package struct Authenticator: Sendable {
    package let sessions: SessionCookies

    package init(sessions: SessionCookies) {
        self.sessions = sessions
    }

    package func authenticate(
        _ request: ForwardedRequest, cookies: some RequestCookies, now: Int64
    ) -> Authentication {
        if case .valid(let session) = sessions.session(from: cookies, now: now) {
            return .session(
                Principal(session), session.source,
                refreshDue: session.refresh.map {
                    RefreshDue(at: $0.due, firstLogin: $0.firstLogin, sessionID: session.id)
                })
        }
        guard let token = Self.bearerToken(in: request.headers) else { return .anonymous }
        // Before any decoding: a bound on the work a hostile token can cause. Dex's tokens are a few KB (the
        // end-to-end suite's user with 401 groups: about 10 KB).
        guard token.utf8.count <= Self.maximumBearerTokenBytes else {
            return .refused(reason: "bearer token over \(Self.maximumBearerTokenBytes) bytes")
        }
        return .bearerToken(token)
    }

    /// Longer Bearer tokens are refused unread.
    package static let maximumBearerTokenBytes = 32 * 1024

    /// The token of an `Authorization: Bearer <token>` header, if the request has one.
    static func bearerToken(in headers: any RequestHeaders) -> String? {
        guard let value = headers.first("Authorization"), value.utf8.count > 7,
            value.prefix(7).caseInsensitiveEquals("Bearer ")
        else { return nil }
        let token = value.dropFirst(7).drop { $0 == " " }
        return token.isEmpty ? nil : String(token)
    }
}
