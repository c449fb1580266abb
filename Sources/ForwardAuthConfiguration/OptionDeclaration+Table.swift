import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

extension ConfigurationOption {
    /// Every option, in the order `--help` and the docs show them: the declarations' options.
    package static let all: [ConfigurationOption] = OptionDeclaration.all.map(\.option)

    /// The fields of a `rule.NAME.<field>` key, with their help.
    static let ruleFields: [(field: String, help: String)] = [
        ("action", "auth (default), allow or deny."),
        ("rule", "Traefik matcher: Host, HostRegexp, Path, PathPrefix, Method, Headers, && || ! ( )."),
        ("whitelist", "Allowed emails for requests this rule matches (replaces the global list)."),
        ("domains", "Allowed email domains for requests this rule matches (replaces the global list)."),
        ("groups", "Allowed groups for requests this rule matches (replaces the global list)."),
        ("provider", "Login provider; only oidc (thomseddon compatibility)."),
    ]
}

extension OptionDeclaration {
    /// Every option, in the order `--help` and the docs show them and `Configuration.build` reads them. Names follow
    /// mesosphere/traefik-forward-auth v3.3.0, plus thomseddon v2's names (see COMPAT.md); each default is the
    /// `Configuration` field's initial value.
    static let all: [OptionDeclaration] = [
        // Service
        .other(
            ConfigurationOption(
                "config", env: ["CONFIG"], kind: .path, help: "Path to an ini file of further options (`key = value`)."),
            printed: { $0.configFile ?? "" }),
        .field(
            "listen-address", env: ["LISTEN_ADDRESS"],
            help: "Address to listen on. `::` listens on IPv6 and IPv4 (0.0.0.0 when the host has no IPv6).",
            \.listenAddress
        ) { r, _, _ in
            r.listenAddress()
        },
        .field("port", env: ["PORT"], kind: .int, help: "Port to listen on.", \.port) { r, name, _ in
            r.int(name, in: 1...65535)
        },
        .field(
            "log-level", env: ["LOG_LEVEL"], help: "Log level: trace, debug, info, warn, error, fatal, panic.",
            \.logLevel
        ) { r, name, fallback in
            r.parsed(name, expected: "one of \(LogLevel.allCases.names)", LogLevel.init(parsing:)) ?? fallback
        },
        .field("log-format", env: ["LOG_FORMAT"], help: "Log format: text, json, pretty.", \.logFormat) {
            r, name, fallback in
            r.parsed(name, expected: "one of \(LogFormat.allCases.names)", LogFormat.init(parsing:)) ?? fallback
        },
        .field(
            "idle-timeout", env: ["IDLE_TIMEOUT"], kind: .int,
            help:
                "Seconds a connection may wait for its next request before it is closed; keep it above the proxy's idle pool (Traefik 90 s, Caddy 120 s).",
            \.idleTimeout
        ) { r, name, _ in r.int(name, in: 1...86_400) },
        .field(
            "read-header-timeout", env: ["READ_HEADER_TIMEOUT"], kind: .int,
            help:
                "Seconds a client has to send a whole request head, counted from its first byte (or from connecting).",
            \.readHeaderTimeout
        ) { r, name, _ in r.int(name, in: 1...3_600) },
        .other(
            ConfigurationOption(
                "metrics-address", env: ["METRICS_ADDRESS"],
                help: "host:port serving /metrics on a listener of its own (then not on port); unset: on port."),
            apply: { r, c in c.metricsAddress = r.metricsAddress(port: c.port) },
            printed: { $0.metricsAddress?.description ?? "" }),

        // Identity provider
        .other(
            ConfigurationOption(
                "provider-uri", env: ["PROVIDER_URI", "PROVIDERS_OIDC_ISSUER_URL"],
                flagAliases: ["providers.oidc.issuer-url"], required: true,
                help: "OIDC issuer URL (Dex); discovery is read from <uri>/.well-known/openid-configuration."),
            apply: { r, c in
                if let (url, issuer) = r.issuer() {
                    c.providerURI = url
                    c.issuer = issuer
                }
            },
            printed: { $0.issuer }),
        .field(
            "client-id", env: ["CLIENT_ID", "PROVIDERS_OIDC_CLIENT_ID"], flagAliases: ["providers.oidc.client-id"],
            required: true, help: "OAuth client id.", \.clientID
        ) { r, name, _ in r.required(name) ?? "" },
        .field(
            "client-secret", env: ["CLIENT_SECRET", "PROVIDERS_OIDC_CLIENT_SECRET"], kind: .secret,
            flagAliases: ["providers.oidc.client-secret"], required: true,
            help: "OAuth client secret (or client-secret-file).", \.clientSecret
        ) { r, name, _ in r.requiredSecret(name) ?? Secret("") },
        .other(
            ConfigurationOption(
                "client-secret-file", env: ["CLIENT_SECRET_FILE"], kind: .path, fileFor: "client-secret",
                help: "File holding the OAuth client secret; a trailing newline is ignored.")),
        .other(
            ConfigurationOption(
                "default-provider", env: ["DEFAULT_PROVIDER"], default: "oidc", help: "Login provider; only oidc."),
            apply: { r, _ in r.checkDefaultProvider() }),
        .field(
            "scope", env: ["SCOPE"], kind: .list, splitsOnWhitespace: true,
            help: "OAuth scopes, space- or comma-separated; replaces the default and must contain openid.", \.scopes
        ) { r, _, _ in r.scopes() },
        .field(
            "trusted-audience", env: ["TRUSTED_AUDIENCE"], kind: .list,
            help: "Further ID token audiences accepted besides client-id.", \.trustedAudiences
        ) { r, name, _ in r.list(name).items },
        .field(
            "ssl-cert-file", env: ["SSL_CERT_FILE"], kind: .path,
            help: "PEM file of CA certificates trusted for the identity provider.", \.caCertificateFile
        ) { r, _, _ in r.certificateFile() },

        // Hosts and cookies
        .field(
            "auth-host", env: ["AUTH_HOST"], help: "Single host that serves the login callback for many app hosts.",
            \.authHost
        ) { r, name, _ in
            r.parsed(name, expected: "a host name with an optional port (no scheme or path)", ValueSyntax.authority)
        },
        .field(
            "cookie-domain", env: ["COOKIE_DOMAIN"], kind: .list,
            help: "Domain(s) to set the session cookie on, so every host below shares it.", \.cookieDomains
        ) { r, name, _ in r.hostnames(name) },
        .field(
            "insecure-cookie", env: ["INSECURE_COOKIE"], kind: .bool, help: "Omit Secure on cookies.", \.insecureCookie
        ) { r, name, _ in r.bool(name) },
        .other(
            ConfigurationOption(
                "cookie-secure", env: ["COOKIE_SECURE"], kind: .bool,
                help: "Ignored, accepted for old charts; use insecure-cookie."),
            apply: { r, _ in
                if let cookieSecure = r.entry("cookie-secure") {
                    r.warn("\(cookieSecure.origin) is ignored; use insecure-cookie")
                }
            }),
        .field("cookie-name", env: ["COOKIE_NAME"], help: "Session cookie name.", \.cookieName) { r, name, _ in
            r.cookieName(name)
        },
        .field(
            "user-cookie-name", env: ["USER_COOKIE_NAME"],
            help: "Cookie (readable by scripts) holding the user's display name.", \.userCookieName
        ) { r, name, _ in r.cookieName(name) },
        .field("csrf-cookie-name", env: ["CSRF_COOKIE_NAME"], help: "Login state cookie name.", \.csrfCookieName) {
            r, name, _ in r.cookieName(name)
        },
        .field(
            "claims-session-name", env: ["CLAIMS_SESSION_NAME"], iniAliases: ["groups-session-name"],
            help: "Cookie holding the group claims.", \.claimsCookieName
        ) { r, name, _ in r.cookieName(name) },
        .field("lifetime", env: ["LIFETIME"], kind: .int, help: "Session lifetime in seconds.", \.lifetime) {
            r, name, _ in r.int(name, in: 1...Int.max)
        },
        .field(
            "url-path", env: ["URL_PATH"], help: "Callback path; a leading / is added if missing.", \.urlPath
        ) { r, _, _ in r.callbackPath() },
        .field(
            "secret", env: ["SECRET"], kind: .secret, required: true,
            help: "Key material for sealing cookies, 32 random bytes or more (shorter: a warning), or secret-file.",
            \.secret
        ) { r, name, _ in r.key(name, required: true) ?? Secret("") },
        .other(
            ConfigurationOption(
                "secret-file", env: ["SECRET_FILE"], kind: .path, fileFor: "secret",
                help: "File holding secret; a trailing newline is ignored.")),
        .field(
            "encryption-key", env: ["ENCRYPTION_KEY", "SESSION_KEY"], kind: .secret, iniAliases: ["session-key"],
            help:
                "Further key material for cookie encryption (the Go fork's sessions need its 16, 24 or 32 bytes); SESSION_KEY is read as it, with a warning.",
            \.encryptionKey
        ) { r, name, _ in
            if let entry = r.secretEntry(name), ["SESSION_KEY", "session-key"].contains(entry.origin.spelling) {
                r.warn(
                    "\(entry.origin) is read as encryption-key: chart 0.3.10 passes the key under this name to an "
                        + "image tag it takes for older than 3.0.0, which the Go fork v3.3.0 never read")
            }
            return r.key(name, required: false)
        },
        .other(
            ConfigurationOption(
                "encryption-key-file", env: ["ENCRYPTION_KEY_FILE"], kind: .path, fileFor: "encryption-key",
                help: "File holding encryption-key; a trailing newline is ignored.")),
        .field(
            "previous-secrets", env: ["PREVIOUS_SECRETS"], kind: .list, secret: true,
            help: "Earlier secrets, comma-separated, whose cookies still open (key rotation).", \.previousSecrets
        ) { r, _, _ in r.previousSecrets() },
        .field(
            "accept-go-cookies", env: ["ACCEPT_GO_COOKIES"], kind: .bool,
            help:
                "Accept sessions the Go traefik-forward-auth v3 sealed with the same secret and encryption-key until they expire.",
            \.acceptGoCookies
        ) { r, name, _ in r.bool(name) },
        .field(
            "logout-redirect", env: ["LOGOUT_REDIRECT"], help: "Absolute URL to send the browser to after logout.",
            \.logoutRedirect
        ) { r, name, _ in r.parsed(name, expected: "an absolute http(s) URL", ValueSyntax.httpURL) },

        // Single sign-on across domains
        .field(
            "sso-broker-callbacks", env: ["SSO_BROKER_CALLBACKS"], kind: .list,
            help:
                "UI cluster: the exact <url-path>/sso/callback URLs of attached clusters that may receive this session's ID token (https unless insecure-cookie; no query).",
            \.ssoBrokerCallbacks
        ) { r, name, _ in r.brokerURLs(name) },
        .field(
            "sso-broker-url", env: ["SSO_BROKER_URL"],
            help:
                "Attached cluster: the UI cluster's <url-path>/sso URL; browsers without a session log in there instead of at the provider.",
            \.ssoBrokerURL
        ) { r, name, _ in
            r.parsed(
                name, expected: "an absolute http(s) URL with a path and no query, fragment or user info",
                BrokerSettings.canonicalCallback)
        },
        .field(
            "sso-broker-audience", env: ["SSO_BROKER_AUDIENCE"],
            help:
                "Attached cluster: the UI cluster's client-id; a brokered ID token whose aud is exactly it is accepted (on <url-path>/sso/callback only).",
            \.ssoBrokerAudience
        ) { r, name, _ in r.optionalString(name)?.value },
        .field(
            "sso-broker-max-age", env: ["SSO_BROKER_MAX_AGE"], kind: .int,
            help:
                "With refresh-sessions: seconds a brokered ID token's iat may lie back (the UI cluster refreshes an older one before brokering).",
            \.ssoBrokerMaxAge
        ) { r, name, _ in r.int(name, in: 30...Int.max) },

        // Silent refresh
        .field(
            "refresh-sessions", env: ["REFRESH_SESSIONS"], kind: .bool,
            help:
                "Log in with offline_access and renew sessions at the provider from refresh-interval on, so a removed user loses access within one interval.",
            \.refreshSessions
        ) { r, name, _ in r.bool(name) },
        .field(
            "refresh-interval", env: ["REFRESH_INTERVAL"], kind: .int,
            help: "With refresh-sessions: seconds from a login or refresh until a page load renews the session.",
            \.refreshInterval
        ) { r, name, _ in r.int(name, in: 10...Int.max) },
        .field(
            "refresh-max-age", env: ["REFRESH_MAX_AGE"], kind: .int,
            help:
                "With refresh-sessions: seconds after the first login when renewing stops and the person logs in again.",
            \.refreshMaxAge
        ) { r, name, _ in r.int(name, in: 60...Int.max) },

        // Who may pass
        .field(
            "default-action", env: ["DEFAULT_ACTION"], help: "When no rule matches: auth, allow or deny.",
            \.defaultAction
        ) { r, name, fallback in
            r.parsed(name, expected: "one of \(RuleAction.allCases.names)") { RuleAction(rawValue: $0.lowercased()) }
                ?? fallback
        },
        .field("domain", env: ["DOMAIN"], kind: .list, help: "Allowed email domains.", \.domains) { r, name, _ in
            r.list(name).items
        },
        .field("whitelist", env: ["WHITELIST"], kind: .list, help: "Allowed email addresses.", \.whitelist) {
            r, name, _ in r.list(name).items
        },
        .field(
            "match-whitelist-or-domain", env: ["MATCH_WHITELIST_OR_DOMAIN"], kind: .bool,
            help: "Admit a user listed in whitelist or domain; false: when whitelist is set only it counts.",
            \.matchWhitelistOrDomain
        ) { r, name, _ in r.bool(name) },
        .field(
            "allowed-groups", env: ["ALLOWED_GROUPS"], kind: .list, help: "Groups allowed to pass (any one suffices).",
            \.allowedGroups
        ) { r, name, _ in r.list(name).items },
        .field(
            "email-header-names", env: ["EMAIL_HEADER_NAMES"], kind: .list,
            help: "Response headers that carry the user's email.", \.emailHeaderNames
        ) { r, name, _ in r.headerNames(name) },
        .other(
            ConfigurationOption(
                "claim-header", env: ["CLAIM_HEADERS"], kind: .list,
                help:
                    "Response header carrying an ID token claim, as HEADER=claim (repeatable or comma-separated); list values are joined with commas, a comma or % inside a value sent as %2C or %25."
            ),
            apply: { r, c in c.claimHeaders = r.claimHeaders(reserved: c.emailHeaderNames) },
            printed: { $0.claimHeaders.printedText(listSeparator: ",") }),
        .field(
            "trust-forwarded-prefix", env: ["TRUST_FORWARDED_PREFIX"], kind: .bool,
            help:
                "Judge X-Forwarded-Prefix + X-Forwarded-Uri (set it only when the proxy removes a client's X-Forwarded-Prefix: Traefik >= v2.11.14 / v3.2.1); off: the prefix is ignored.",
            \.trustForwardedPrefix
        ) { r, name, _ in r.bool(name) },
        .field(
            "skip-auth-preflight", env: ["SKIP_AUTH_PREFLIGHT"], kind: .bool,
            help: "Let CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) pass without a session.",
            \.skipAuthPreflight
        ) { r, name, _ in r.bool(name) },
        .field(
            "groups-filter", env: ["GROUPS_FILTER"],
            help:
                "Groups a session keeps: auto (those allowed-groups, rules and RBAC bindings name) or a regex the whole name must match; unset keeps all.",
            \.groupsFilter
        ) { r, _, _ in r.groupsFilter() },
        .field(
            "forward-token-header-name", env: ["FORWARD_TOKEN_HEADER_NAME"],
            help: "Header to forward the raw ID token in (the token is then kept with the session).",
            \.forwardTokenHeaderName
        ) { r, name, _ in r.headerNames(name).first },
        .field(
            "forward-token-prefix", env: ["FORWARD_TOKEN_PREFIX"],
            help: "Prefix for the forwarded token's header value.",
            \.forwardTokenPrefix
        ) { r, name, _ in r.string(name) },

        // Kubernetes
        .field(
            "enable-impersonation", env: ["ENABLE_IMPERSONATION"], kind: .bool,
            help: "Answer with Kubernetes impersonation headers.", \.enableImpersonation
        ) { r, name, _ in r.bool(name) },
        .field(
            "service-account-token-path", env: ["SERVICE_ACCOUNT_TOKEN_PATH"], kind: .path,
            help: "Bearer token sent upstream with impersonation.", \.serviceAccountTokenPath
        ) { r, name, _ in r.string(name) },
        .field(
            "group-claim-prefix", env: ["GROUP_CLAIM_PREFIX"], help: "Prefix added to group names.",
            \.groupClaimPrefix
        ) { r, name, _ in r.string(name) },
        .field(
            "groups-attribute-name", env: ["GROUPS_ATTRIBUTE_NAME"], help: "ID token claim holding the groups.",
            \.groupsAttributeName
        ) { r, name, fallback in r.required(name) ?? fallback },
        .field(
            "enable-rbac", env: ["ENABLE_RBAC"], kind: .bool,
            help: "Authorize with Kubernetes ClusterRoles and ClusterRoleBindings.", \.enableRBAC
        ) { r, name, _ in r.bool(name) },
        .field(
            "rbac-file", env: ["RBAC_FILE"], kind: .path,
            help:
                "YAML or JSON file of ClusterRoles and ClusterRoleBindings, re-read when it changes; instead of the Kubernetes API.",
            \.rbacFile
        ) { r, name, _ in r.optionalString(name)?.value },
        .field(
            "authz-pass-through", env: ["AUTHZ_PASS_THROUGH"], kind: .list,
            help: "Paths (wildcards allowed) that skip RBAC.", \.authzPassThrough
        ) { r, name, _ in r.list(name).items },
        .field(
            "case-insensitive-subjects", env: ["CASE_INSENSITIVE_SUBJECTS"], kind: .bool,
            help: "RBAC subject matching ignores case.", \.caseInsensitiveSubjects
        ) { r, name, _ in r.bool(name) },
        .field(
            "enable-v3-url-pattern-matching", env: ["ENABLE_V3_URL_PATTERN_MATCHING"], kind: .bool,
            help: "Glob semantics for RBAC URL patterns (* within a segment, ** across).", \.enableV3URLPatternMatching
        ) { r, name, _ in r.bool(name) },
        .field(
            "enable-in-cluster-storage", env: ["ENABLE_IN_CLUSTER_STORAGE"], kind: .bool,
            help: "Accepted for old charts; not supported, sessions stay in cookies.", \.clusterStorage.enabled
        ) { r, name, _ in r.bool(name) },
        .field(
            "cluster-store-namespace", env: ["CLUSTER_STORE_NAMESPACE"],
            help: "Accepted for old charts; not supported.",
            \.clusterStorage.namespace
        ) { r, name, _ in r.string(name) },
        .field(
            "cluster-store-cache-ttl", env: ["CLUSTER_STORE_CACHE_TTL"], kind: .int,
            help: "Accepted for old charts; not supported (seconds).", \.clusterStorage.cacheTTL
        ) { r, name, _ in r.int(name, in: 0...Int.max) },
    ]
}

extension Array where Element: RawRepresentable, Element.RawValue == String {
    /// `trace, debug, info` for "expected one of" messages.
    fileprivate var names: String { map(\.rawValue).joined(separator: ", ") }
}
