/// `refresh-sessions` and its times (docs/multi-cluster.md "Silent refresh"): a session has a soft end
/// (`interval` after the last login or refresh), a hard end (`lifetime` after it) and an absolute cap
/// (`maximumAge` after the first login of the chain).
package struct RefreshSettings: Sendable, Hashable {
    /// `refresh-interval`, seconds.
    package var interval: Int64 = 15 * 60
    /// `refresh-max-age`, seconds.
    package var maximumAge: Int64 = 7 * 24 * 3600
    /// `sso-broker-max-age`, seconds: how old a brokered token may be (its `iat`); the broker refreshes an
    /// older one first.
    package var brokerMaximumAge: Int64 = 10 * 60

    package init() {}

    /// A login's path back after a refresh: `<url-path>/refresh`.
    package static let pathSuffix = "/refresh"

    /// Whether a session is past its soft end and may still be renewed (`refresh-max-age` after the chain's first
    /// login it may not: it runs to its hard end). The one rule the check, nginx's login start and the refresh
    /// endpoint share, so that none sends the browser to a refresh another would skip (a loop).
    package func isDue(_ due: Int64, firstLogin: Int64, now: Int64) -> Bool {
        now >= due && now < firstLogin + maximumAge
    }

    /// Seconds a refresh waits after the provider could not be reached.
    package static let retryDelay: Int64 = 60
}
