import ForwardAuthWire

/// A cookie that stops navigations from refreshing one session for a while (`retryAt`) or for good (`retryAt`
/// 0): set after the provider refused its refresh token (Dex 400: the token was claimed, expired or revoked) or
/// could not be reached. Bound to the session's id, so a newer session (another tab won the race and its cookie
/// arrived) refreshes as usual, and nothing loops. It grants nothing; it only spares the provider.
package struct RefreshMarker: Sendable, Hashable {
    package var sessionID: [UInt8]
    /// 0: never again for this session; else not before then.
    package var retryAt: Int64

    package init(sessionID: [UInt8], retryAt: Int64) {
        self.sessionID = sessionID
        self.retryAt = retryAt
    }

    /// `<base64url session id>.<retryAt>`.
    package init?(_ value: some StringProtocol) {
        let parts = value.utf8.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count <= 19, let id = Base64URL.decode(ArraySlice(parts[0])),
            let retryAt = Int64(String(decoding: parts[1], as: UTF8.self)), retryAt >= 0
        else { return nil }
        self.init(sessionID: id, retryAt: retryAt)
    }

    package var value: String { Base64URL.encode(sessionID) + "." + String(retryAt) }

    /// Whether this marker holds a refresh of session `sessionID` back at `now`.
    package func holds(sessionID: [UInt8], now: Int64) -> Bool {
        self.sessionID == sessionID && (retryAt == 0 || now < retryAt)
    }
}
