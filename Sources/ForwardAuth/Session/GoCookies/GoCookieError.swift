import ForwardAuthOIDC

/// Why cookies the Go traefik-forward-auth wrote did not open as a session.
///
/// Names the step that failed, never a cookie's value, a key or a token, so it may go into a log line. Any of
/// these means "no session": the caller asks the browser to log in (or answers 401), never a 5xx.
package struct GoCookieError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case missingIDCookie, missingClaimsCookie, tooLong, malformed, badMAC, badDate, expired, fromTheFuture
        case undecryptable, unexpectedPayload, noEmail, claimsOfAnotherUser, noGroups
    }

    private let code: Code

    /// No ID cookie under `cookie-name`.
    package static let missingIDCookie = GoCookieError(code: .missingIDCookie)
    /// No claims cookie under `claims-session-name`: the fork itself logs in again then.
    package static let missingClaimsCookie = GoCookieError(code: .missingClaimsCookie)
    /// Over `GoSecureCookie.maximumValueLength` bytes; refused unread.
    package static let tooLong = GoCookieError(code: .tooLong)
    /// Not `base64url(date|value|mac)`.
    package static let malformed = GoCookieError(code: .malformed)
    /// The HMAC does not verify: another secret, another cookie name, or tampered.
    package static let badMAC = GoCookieError(code: .badMAC)
    /// The date is not a decimal number of seconds.
    package static let badDate = GoCookieError(code: .badDate)
    /// Written more than `lifetime` seconds ago.
    package static let expired = GoCookieError(code: .expired)
    /// Dated further ahead than the clock skew allowed.
    package static let fromTheFuture = GoCookieError(code: .fromTheFuture)
    /// The value is not base64url of an IV and ciphertext.
    package static let undecryptable = GoCookieError(code: .undecryptable)
    /// The plaintext is not exactly one of the two gob payloads the fork writes.
    package static let unexpectedPayload = GoCookieError(code: .unexpectedPayload)
    /// The ID names no email.
    package static let noEmail = GoCookieError(code: .noEmail)
    /// The claims cookie's email differs from the ID cookie's: its groups belong to someone else.
    package static let claimsOfAnotherUser = GoCookieError(code: .claimsOfAnotherUser)
    /// The claims hold no groups list (JSON `null` or absent): the fork logs in again then.
    package static let noGroups = GoCookieError(code: .noGroups)

    package var description: String {
        switch code {
        case .missingIDCookie: "no Go ID cookie"
        case .missingClaimsCookie: "no Go claims cookie"
        case .tooLong: "Go cookie over \(GoSecureCookie.maximumValueLength) bytes"
        case .malformed: "Go cookie is not base64url(date|value|mac)"
        case .badMAC: "Go cookie's HMAC does not verify (other secret, other cookie name, or tampered)"
        case .badDate: "Go cookie's date is not a number"
        case .expired: "Go cookie is older than lifetime"
        case .fromTheFuture: "Go cookie is dated in the future"
        case .undecryptable: "Go cookie's value is not an IV and ciphertext"
        case .unexpectedPayload: "Go cookie's payload is not the fork's ID or claims"
        case .noEmail: "Go ID cookie names no email"
        case .claimsOfAnotherUser: "Go claims cookie belongs to another email"
        case .noGroups: "Go claims cookie holds no groups list"
        }
    }
}
