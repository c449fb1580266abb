import ForwardAuth
import ForwardAuthWire

extension GoCookieReader {
    /// The reader a configuration asks for: nil with `accept-go-cookies` off, or when the keys are ones the fork
    /// could not have sealed with (`init`). Reads the fork's names for its cookies: `cookie-name` for the ID
    /// cookie, and for the claims `claims-session-name` as the fork read it (`goClaimsCookieName`).
    package init?(_ configuration: Configuration) {
        guard configuration.acceptGoCookies else { return nil }
        self.init(
            secret: configuration.secret.revealBytes(), encryptionKey: configuration.encryptionKey?.revealBytes(),
            idCookieName: configuration.cookieName, claimsCookieName: configuration.goClaimsCookieName,
            lifetime: Int64(configuration.lifetime))
    }
}
