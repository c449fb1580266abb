import Foundation

/// Everything forward-auth is configured with, read once at start by `Configuration.load(...)`.
///
/// A loaded value is valid: required settings present, URLs absolute, hosts normalized (lower-case, no leading
/// dot), rules compiled. Secrets are `Secret`s, so printing a configuration (`description`) never shows them.
/// Tests elsewhere build one with `Configuration.testing()` and change what they need.
///
/// Each field's initial value is its option's default: `--help` and docs/configuration.md show it from here
/// (`OptionDeclaration.field`). Adding an option: a field here, one declaration in `OptionDeclaration.all`.
public struct Configuration: Sendable {
    // Service
    public var listenAddress = "0.0.0.0"
    public var port = 4181
    public var logLevel = LogLevel.warn
    public var logFormat = LogFormat.text
    /// `idle-timeout`: seconds a connection with no request under way stays open. Above the proxies' idle pools,
    /// so that they, not we, close a quiet connection (closing first races a request they are sending).
    public var idleTimeout = 180
    /// `read-header-timeout`: seconds from a request head's first byte (or the connection's start) to its end.
    public var readHeaderTimeout = 10
    /// Where `/metrics` is served on a listener of its own; nil: on `port`, to requests that are not forwarded.
    public var metricsAddress: ListenAddress?
    /// The ini file the values were read from, if any.
    public var configFile: String?

    // Identity provider
    /// The issuer, parsed.
    public var providerURI: URL
    /// The issuer exactly as configured: the ID token's `iss` must equal this string.
    public var issuer: String
    public var clientID: String
    public var clientSecret: Secret
    public var scopes = ["openid", "profile", "email", "groups"]
    /// Audiences accepted besides `clientID`.
    public var trustedAudiences: [String] = []
    /// PEM file of CAs for the identity provider (`SSL_CERT_FILE`); nil: the system's.
    public var caCertificateFile: String?

    // Hosts and cookies
    /// Host name (lower-case, no port) serving callbacks for many app hosts.
    public var authHost: Authority?
    /// Cookie domains, lower-case, without a leading dot.
    public var cookieDomains: [String] = []
    public var insecureCookie = false
    public var cookieName = "_forward_auth"
    public var userCookieName = "_forward_auth_name"
    public var csrfCookieName = "_forward_auth_csrf"
    public var claimsCookieName = "_forward_auth_claims"
    /// Session lifetime in seconds, positive.
    public var lifetime = 43200
    /// Callback path: starts with `/`, is not `/`.
    public var urlPath = "/_oauth"
    /// Seals cookies; at least 16 bytes.
    public var secret: Secret
    /// Mixed into the cookie key when given; at least 16 bytes.
    public var encryptionKey: Secret?
    /// Earlier secrets whose cookies still open; each at least 16 bytes.
    public var previousSecrets: [Secret] = []
    public var logoutRedirect: URL?

    // Who may pass
    public var defaultAction = RuleAction.auth
    /// The `rule.NAME.*` blocks in order of first appearance (file, then flags).
    public var rules: [RuleDefinition] = []
    /// `rules`, compiled.
    public var ruleSet: RuleSet
    /// Allowed email domains (`domain`).
    public var domains: [String] = []
    /// Allowed email addresses.
    public var whitelist: [String] = []
    public var matchWhitelistOrDomain = true
    public var allowedGroups: [String] = []
    /// Valid header names.
    public var emailHeaderNames = ["X-Forwarded-User"]
    /// `claim-header`: response headers carrying claims.
    public var claimHeaders: [IdentityHeaders.ClaimHeader] = []
    public var skipAuthPreflight = false
    /// `trust-forwarded-prefix`: whether `X-Forwarded-Prefix` takes part in what is judged. Off by default: a
    /// client can send it, and it widens the judged path (`/public` + `/admin`).
    public var trustForwardedPrefix = false
    /// `groups-filter` as given: nil, `auto` or a regex (checked at load).
    public var groupsFilter: String?
    public var forwardTokenHeaderName: String?
    public var forwardTokenPrefix = "Bearer "

    // Kubernetes
    public var enableImpersonation = false
    public var serviceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    public var groupClaimPrefix = "oidc:"
    public var groupsAttributeName = "groups"
    public var enableRBAC = false
    /// Roles and bindings from a file instead of the Kubernetes API.
    public var rbacFile: String?
    public var authzPassThrough: [String] = []
    public var caseInsensitiveSubjects = false
    public var enableV3URLPatternMatching = false
    public var clusterStorage = ClusterStorageSettings()

    /// The required settings; everything else starts at its documented default and no rules.
    public init(providerURI: URL, clientID: String, clientSecret: Secret, secret: Secret) {
        self.providerURI = providerURI
        self.issuer = providerURI.absoluteString
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.secret = secret
        self.ruleSet = Self.emptyRuleSet
    }

    /// A valid configuration for tests: issuer `https://dex.example.com/dex`, client `forward-auth`, fixed
    /// 32-byte secret, cookie domain `example.com`. Change fields as needed (assign `rules` and `ruleSet` together).
    public static func testing(
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
