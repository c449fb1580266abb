extension ConfigurationOption {
    /// Every option, in the order `--help` and the docs show them. Names and defaults follow
    /// mesosphere/traefik-forward-auth v3.3.0, plus thomseddon v2's names (see COMPAT.md).
    public static let all: [ConfigurationOption] = [
        // Service
        .init("config", env: ["CONFIG"], kind: .path, help: "Path to an ini file of further options (`key = value`)."),
        .init("listen-address", env: ["LISTEN_ADDRESS"], default: "0.0.0.0", help: "Address to listen on."),
        .init("port", env: ["PORT"], kind: .int, default: "4181", help: "Port to listen on."),
        .init(
            "log-level", env: ["LOG_LEVEL"], default: "warn",
            help: "Log level: trace, debug, info, warn, error, fatal, panic."),
        .init("log-format", env: ["LOG_FORMAT"], default: "text", help: "Log format: text, json, pretty."),
        .init(
            "idle-timeout", env: ["IDLE_TIMEOUT"], kind: .int, default: "180",
            help:
                "Seconds a connection may wait for its next request before it is closed; keep it above the proxy's idle pool (Traefik 90 s, Caddy 120 s)."
        ),
        .init(
            "read-header-timeout", env: ["READ_HEADER_TIMEOUT"], kind: .int, default: "10",
            help: "Seconds a client has to send a whole request head, counted from its first byte (or from connecting)."
        ),
        .init(
            "metrics-address", env: ["METRICS_ADDRESS"],
            help: "host:port serving /metrics on a listener of its own (then not on port); unset: on port."),

        // Identity provider
        .init(
            "provider-uri", env: ["PROVIDER_URI", "PROVIDERS_OIDC_ISSUER_URL"],
            flagAliases: ["providers.oidc.issuer-url"],
            required: true,
            help: "OIDC issuer URL (Dex); discovery is read from <uri>/.well-known/openid-configuration."),
        .init(
            "client-id", env: ["CLIENT_ID", "PROVIDERS_OIDC_CLIENT_ID"], flagAliases: ["providers.oidc.client-id"],
            required: true, help: "OAuth client id."),
        .init(
            "client-secret", env: ["CLIENT_SECRET", "PROVIDERS_OIDC_CLIENT_SECRET"], kind: .secret,
            flagAliases: ["providers.oidc.client-secret"], required: true,
            help: "OAuth client secret (or client-secret-file)."),
        .init(
            "client-secret-file", env: ["CLIENT_SECRET_FILE"], kind: .path, fileFor: "client-secret",
            help: "File holding the OAuth client secret; a trailing newline is ignored."),
        .init("default-provider", env: ["DEFAULT_PROVIDER"], default: "oidc", help: "Login provider; only oidc."),
        .init(
            "scope", env: ["SCOPE"], kind: .list, default: "openid profile email groups", splitsOnWhitespace: true,
            help: "OAuth scopes, space- or comma-separated; replaces the default and must contain openid."),
        .init(
            "trusted-audience", env: ["TRUSTED_AUDIENCE"], kind: .list,
            help: "Further ID token audiences accepted besides client-id."),
        .init(
            "ssl-cert-file", env: ["SSL_CERT_FILE"], kind: .path,
            help: "PEM file of CA certificates trusted for the identity provider."),

        // Hosts and cookies
        .init("auth-host", env: ["AUTH_HOST"], help: "Single host that serves the login callback for many app hosts."),
        .init(
            "cookie-domain", env: ["COOKIE_DOMAIN"], kind: .list,
            help: "Domain(s) to set the session cookie on, so every host below shares it."),
        .init(
            "insecure-cookie", env: ["INSECURE_COOKIE"], kind: .bool, default: "false", help: "Omit Secure on cookies."),
        .init(
            "cookie-secure", env: ["COOKIE_SECURE"], kind: .bool,
            help: "Ignored, accepted for old charts; use insecure-cookie."),
        .init("cookie-name", env: ["COOKIE_NAME"], default: "_forward_auth", help: "Session cookie name."),
        .init(
            "user-cookie-name", env: ["USER_COOKIE_NAME"], default: "_forward_auth_name",
            help: "Cookie (readable by scripts) holding the user's display name."),
        .init(
            "csrf-cookie-name", env: ["CSRF_COOKIE_NAME"], default: "_forward_auth_csrf",
            help: "Login state cookie name."),
        .init(
            "claims-session-name", env: ["CLAIMS_SESSION_NAME"], default: "_forward_auth_claims",
            iniAliases: ["groups-session-name"], help: "Cookie holding the group claims."),
        .init(
            "lifetime", env: ["LIFETIME"], kind: .int, default: "43200", help: "Session lifetime in seconds."),
        .init(
            "url-path", env: ["URL_PATH"], default: "/_oauth", help: "Callback path; a leading / is added if missing."),
        .init(
            "secret", env: ["SECRET"], kind: .secret, required: true,
            help: "Key material for sealing cookies, at least 16 bytes (32 recommended), or secret-file."),
        .init(
            "secret-file", env: ["SECRET_FILE"], kind: .path, fileFor: "secret",
            help: "File holding secret; a trailing newline is ignored."),
        .init(
            "encryption-key", env: ["ENCRYPTION_KEY"], kind: .secret,
            help: "Further key material for cookie encryption, at least 16 bytes."),
        .init(
            "encryption-key-file", env: ["ENCRYPTION_KEY_FILE"], kind: .path, fileFor: "encryption-key",
            help: "File holding encryption-key; a trailing newline is ignored."),
        .init(
            "previous-secrets", env: ["PREVIOUS_SECRETS"], kind: .list, secret: true,
            help: "Earlier secrets, comma-separated, whose cookies still open (key rotation)."),
        .init("logout-redirect", env: ["LOGOUT_REDIRECT"], help: "Absolute URL to send the browser to after logout."),

        // Who may pass
        .init(
            "default-action", env: ["DEFAULT_ACTION"], default: "auth",
            help: "When no rule matches: auth, allow or deny."),
        .init("domain", env: ["DOMAIN"], kind: .list, help: "Allowed email domains."),
        .init("whitelist", env: ["WHITELIST"], kind: .list, help: "Allowed email addresses."),
        .init(
            "match-whitelist-or-domain", env: ["MATCH_WHITELIST_OR_DOMAIN"], kind: .bool, default: "true",
            help: "Admit a user listed in whitelist or domain; false: when whitelist is set only it counts."),
        .init(
            "allowed-groups", env: ["ALLOWED_GROUPS"], kind: .list, help: "Groups allowed to pass (any one suffices)."),
        .init(
            "email-header-names", env: ["EMAIL_HEADER_NAMES"], kind: .list, default: "X-Forwarded-User",
            help: "Response headers that carry the user's email."),
        .init(
            "claim-header", env: ["CLAIM_HEADERS"], kind: .list,
            help:
                "Response header carrying an ID token claim, as HEADER=claim (repeatable or comma-separated); list values are joined with commas, a comma or % inside a value sent as %2C or %25."
        ),
        .init(
            "trust-forwarded-prefix", env: ["TRUST_FORWARDED_PREFIX"], kind: .bool, default: "false",
            help:
                "Judge X-Forwarded-Prefix + X-Forwarded-Uri (set it only when the proxy removes a client's X-Forwarded-Prefix: Traefik >= v2.11.14 / v3.2.1); off: the prefix is ignored."
        ),
        .init(
            "skip-auth-preflight", env: ["SKIP_AUTH_PREFLIGHT"], kind: .bool, default: "false",
            help: "Let CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) pass without a session."),
        .init(
            "groups-filter", env: ["GROUPS_FILTER"],
            help:
                "Groups a session keeps: auto (those allowed-groups, rules and RBAC bindings name) or a regex the whole name must match; unset keeps all."
        ),
        .init(
            "forward-token-header-name", env: ["FORWARD_TOKEN_HEADER_NAME"],
            help: "Header to forward the raw ID token in (the token is then kept with the session)."),
        .init(
            "forward-token-prefix", env: ["FORWARD_TOKEN_PREFIX"], default: "Bearer ",
            help: "Prefix for the forwarded token's header value."),

        // Kubernetes
        .init(
            "enable-impersonation", env: ["ENABLE_IMPERSONATION"], kind: .bool, default: "false",
            help: "Answer with Kubernetes impersonation headers."),
        .init(
            "service-account-token-path", env: ["SERVICE_ACCOUNT_TOKEN_PATH"], kind: .path,
            default: "/var/run/secrets/kubernetes.io/serviceaccount/token",
            help: "Bearer token sent upstream with impersonation."),
        .init(
            "group-claim-prefix", env: ["GROUP_CLAIM_PREFIX"], default: "oidc:", help: "Prefix added to group names."),
        .init(
            "groups-attribute-name", env: ["GROUPS_ATTRIBUTE_NAME"], default: "groups",
            help: "ID token claim holding the groups."),
        .init(
            "enable-rbac", env: ["ENABLE_RBAC"], kind: .bool, default: "false",
            help: "Authorize with Kubernetes ClusterRoles and ClusterRoleBindings."),
        .init(
            "rbac-file", env: ["RBAC_FILE"], kind: .path,
            help:
                "YAML or JSON file of ClusterRoles and ClusterRoleBindings, re-read when it changes; instead of the Kubernetes API."
        ),
        .init(
            "authz-pass-through", env: ["AUTHZ_PASS_THROUGH"], kind: .list,
            help: "Paths (wildcards allowed) that skip RBAC."),
        .init(
            "case-insensitive-subjects", env: ["CASE_INSENSITIVE_SUBJECTS"], kind: .bool, default: "false",
            help: "RBAC subject matching ignores case."),
        .init(
            "enable-v3-url-pattern-matching", env: ["ENABLE_V3_URL_PATTERN_MATCHING"], kind: .bool, default: "false",
            help: "Glob semantics for RBAC URL patterns (* within a segment, ** across)."),
        .init(
            "enable-in-cluster-storage", env: ["ENABLE_IN_CLUSTER_STORAGE"], kind: .bool, default: "false",
            help: "Accepted for old charts; not supported, sessions stay in cookies."),
        .init(
            "cluster-store-namespace", env: ["CLUSTER_STORE_NAMESPACE"], default: "default",
            help: "Accepted for old charts; not supported."),
        .init(
            "cluster-store-cache-ttl", env: ["CLUSTER_STORE_CACHE_TTL"], kind: .int, default: "60",
            help: "Accepted for old charts; not supported (seconds)."),
    ]

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
