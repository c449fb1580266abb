import ForwardAuth
import ForwardAuthWire
import Foundation

/// Everything forward-auth is configured with, read once at start by `Configuration.load(...)`.
///
/// A loaded value is valid: required settings present, URLs absolute, hosts normalized (lower-case, no leading
/// dot), rules compiled. Secrets are `Secret`s, so printing a configuration (`description`) never shows them.
/// Tests elsewhere build one with `Configuration.testing()` and change what they need.
///
/// Each field's initial value is its option's default: `--help` and docs/configuration.md show it from here
/// (`OptionDeclaration.field`). Adding an option: a field here, one declaration in `OptionDeclaration.all`.
package struct Configuration: Sendable {
    // Service
    /// `::` (Go's `:4181`): IPv6 and IPv4 on one socket; the server binds `0.0.0.0` on a host without IPv6.
    package var listenAddress = "::"
    package var port = 4181
    package var logLevel = LogLevel.warn
    package var logFormat = LogFormat.text
    /// `idle-timeout`: seconds a connection with no request under way stays open. Above the proxies' idle pools,
    /// so that they, not we, close a quiet connection (closing first races a request they are sending).
    package var idleTimeout = 180
    /// `read-header-timeout`: seconds from a request head's first byte (or the connection's start) to its end.
    package var readHeaderTimeout = 10
    /// Where `/metrics` is served on a listener of its own; nil: on `port`, to requests that are not forwarded.
    package var metricsAddress: ListenAddress?
    /// The ini file the values were read from, if any.
    package var configFile: String?

    // Identity provider
    /// The issuer, parsed.
    package var providerURI: URL
    /// The issuer exactly as configured: the ID token's `iss` must equal this string.
    package var issuer: String
    package var clientID: String
    package var clientSecret: Secret
    package var scopes = ["openid", "profile", "email", "groups"]
    /// Audiences accepted besides `clientID`.
    package var trustedAudiences: [String] = []
    /// PEM file of CAs for the identity provider (`SSL_CERT_FILE`); nil: the system's.
    package var caCertificateFile: String?

    // Hosts and cookies
    /// Host name (lower-case, no port) serving callbacks for many app hosts.
    package var authHost: Authority?
    /// Cookie domains, lower-case, without a leading dot.
    package var cookieDomains: [String] = []
    package var insecureCookie = false
    package var cookieName = "_forward_auth"
    package var userCookieName = "_forward_auth_name"
    package var csrfCookieName = "_forward_auth_csrf"
    package var claimsCookieName = "_forward_auth_claims"
    /// The claims cookie's name as the Go fork read the same settings (it ignored `groups-session-name`): where
    /// its sessions' claims are found.
    package var goClaimsCookieName = "_forward_auth_claims"
    /// Session lifetime in seconds, positive.
    package var lifetime = 43200
    /// Callback path: starts with `/`, is not `/`.
    package var urlPath = "/_oauth"
    /// Seals cookies; 32 bytes or more recommended (shorter starts with a warning, as the Go fork did).
    package var secret: Secret
    /// Mixed into the cookie key when given; at least 16 bytes.
    package var encryptionKey: Secret?
    /// Earlier secrets whose cookies still open; each at least 16 bytes.
    package var previousSecrets: [Secret] = []
    /// `accept-go-cookies`: open the session cookies the Go traefik-forward-auth sealed with `secret` and
    /// `encryption-key` (`GoCookieReader`), so a swap logs nobody out.
    package var acceptGoCookies = true
    package var logoutRedirect: URL?

    // Single sign-on across domains (docs/multi-cluster.md)
    /// `sso-broker-callbacks` (UI instance): the attached instances' callbacks, in canonical form.
    package var ssoBrokerCallbacks: [String] = []
    /// `sso-broker-url` (attached instance): the UI instance's `<url-path>/sso`, in canonical form.
    package var ssoBrokerURL: String?
    /// `sso-broker-audience` (attached instance): the UI instance's client id.
    package var ssoBrokerAudience: String?
    /// `sso-broker-max-age`: seconds a brokered token's `iat` may lie back, with `refresh-sessions`.
    package var ssoBrokerMaxAge = 600

    // Silent refresh (docs/multi-cluster.md)
    /// `refresh-sessions`: log in with `offline_access` and renew sessions at the provider.
    package var refreshSessions = false
    /// `refresh-interval`: seconds from a login or refresh to the session's soft end.
    package var refreshInterval = 900
    /// `refresh-max-age`: seconds from the first login after which a session is no longer renewed.
    package var refreshMaxAge = 604_800

    // Who may pass
    package var defaultAction = RuleAction.auth
    /// The `rule.NAME.*` blocks in order of first appearance (file, then flags).
    package var rules: [RuleDefinition] = []
    /// `rules`, compiled.
    package var ruleSet: RuleSet
    /// Allowed email domains (`domain`).
    package var domains: [String] = []
    /// Allowed email addresses.
    package var whitelist: [String] = []
    package var matchWhitelistOrDomain = true
    package var allowedGroups: [String] = []
    /// Valid header names.
    package var emailHeaderNames = ["X-Forwarded-User"]
    /// `claim-header`: response headers carrying claims.
    package var claimHeaders: [IdentityHeaders.ClaimHeader] = []
    package var skipAuthPreflight = false
    /// `trust-forwarded-prefix`: whether `X-Forwarded-Prefix` takes part in what is judged. Off by default: a
    /// client can send it, and it widens the judged path (`/public` + `/admin`).
    package var trustForwardedPrefix = false
    /// `groups-filter` as given: nil, `auto` or a regex (checked at load).
    package var groupsFilter: String?
    package var forwardTokenHeaderName: String?
    package var forwardTokenPrefix = "Bearer "

    // Kubernetes
    package var enableImpersonation = false
    package var serviceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    package var groupClaimPrefix = "oidc:"
    package var groupsAttributeName = "groups"
    package var enableRBAC = false
    /// Roles and bindings from a file instead of the Kubernetes API.
    package var rbacFile: String?
    package var authzPassThrough: [String] = []
    package var caseInsensitiveSubjects = false
    package var enableV3URLPatternMatching = false
    package var clusterStorage = ClusterStorageSettings()
    /// From `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (Go's rules), not from an option: see
    /// `ConfigurationLoadResult.addingOutboundProxy`.
    package var outboundProxy = OutboundProxy.direct

    /// The required settings; everything else starts at its documented default and no rules.
    package init(providerURI: URL, clientID: String, clientSecret: Secret, secret: Secret) {
        self.providerURI = providerURI
        self.issuer = providerURI.absoluteString
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.secret = secret
        self.ruleSet = Self.emptyRuleSet
    }

    /// A valid configuration for tests: issuer `https://dex.example.com/dex`, client `forward-auth`, fixed
    /// 32-byte secret, cookie domain `example.com`. Change fields as needed (assign `rules` and `ruleSet` together).
    package static func testing(
        issuer: String = "https://dex.example.com/dex", clientID: String = "forward-auth",
        clientSecret: Secret = Secret("test-client-secret"),
        secret: Secret = Secret("0123456789abcdef0123456789abcdef"), cookieDomains: [String] = ["example.com"]
    ) -> Configuration {
        let url = URL(string: issuer) ?? URL(fileURLWithPath: "/")
        var configuration = Configuration(
            providerURI: url, clientID: clientID, clientSecret: clientSecret, secret: secret)
        configuration.issuer = issuer
        configuration.cookieDomains = cookieDomains
        return configuration
    }

    private static var emptyRuleSet: RuleSet {
        do {
            return try RuleSet([])
        } catch {
            // No definitions, nothing to reject: this cannot happen, and it depends on no input.
            preconditionFailure("an empty rule list compiles")
        }
    }
}
