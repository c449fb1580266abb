import Foundation

extension Configuration {
    /// Reads and validates every option from `reader`; nil when any problem was found (they are in `reader`).
    ///
    /// Every option is read before deciding, so one run reports every problem, in table order.
    ///
    /// `inCluster`: the process runs in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set), so RBAC can read the API.
    static func build(from reader: inout ConfigurationReader, configFile: String?, inCluster: Bool) -> Configuration? {
        // Placeholders for the required values; only returned when no problem was found, i.e. all were read.
        var configuration = Configuration(
            providerURI: URL(fileURLWithPath: "/"), clientID: "", clientSecret: Secret(""), secret: Secret(""))
        configuration.configFile = configFile

        // Service
        configuration.listenAddress = reader.listenAddress()
        configuration.port = reader.int("port", in: 1...65535)
        configuration.logLevel =
            reader.parsed("log-level", expected: "one of \(LogLevel.allCases.names)", LogLevel.init(parsing:)) ?? .warn
        configuration.logFormat =
            reader.parsed("log-format", expected: "one of \(LogFormat.allCases.names)", LogFormat.init(parsing:))
            ?? .text
        configuration.idleTimeout = reader.int("idle-timeout", in: 1...86_400)
        configuration.readHeaderTimeout = reader.int("read-header-timeout", in: 1...3_600)
        configuration.metricsAddress = reader.metricsAddress(port: configuration.port)

        // Identity provider
        if let (url, issuer) = reader.issuer() {
            configuration.providerURI = url
            configuration.issuer = issuer
        }
        configuration.clientID = reader.required("client-id") ?? ""
        configuration.clientSecret = reader.requiredSecret("client-secret") ?? Secret("")
        reader.checkDefaultProvider()
        configuration.scopes = reader.scopes()
        configuration.trustedAudiences = reader.list("trusted-audience").items
        configuration.caCertificateFile = reader.certificateFile()

        // Hosts and cookies
        configuration.authHost = reader.parsed(
            "auth-host", expected: "a host name with an optional port (no scheme or path)", ValueSyntax.authority)
        configuration.cookieDomains = reader.hostnames("cookie-domain")
        configuration.insecureCookie = reader.bool("insecure-cookie")
        if let cookieSecure = reader.entry("cookie-secure") {
            reader.warn("\(cookieSecure.origin) is ignored; use insecure-cookie")
        }
        configuration.cookieName = reader.cookieName("cookie-name")
        configuration.userCookieName = reader.cookieName("user-cookie-name")
        configuration.csrfCookieName = reader.cookieName("csrf-cookie-name")
        configuration.claimsCookieName = reader.cookieName("claims-session-name")
        configuration.lifetime = reader.int("lifetime", in: 1...Int.max)
        configuration.urlPath = reader.callbackPath()
        configuration.secret = reader.key("secret", required: true) ?? Secret("")
        configuration.encryptionKey = reader.key("encryption-key", required: false)
        configuration.previousSecrets = reader.previousSecrets()
        configuration.logoutRedirect = reader.parsed(
            "logout-redirect", expected: "an absolute http(s) URL", ValueSyntax.httpURL)

        // Who may pass
        configuration.defaultAction =
            reader.parsed("default-action", expected: "one of \(RuleAction.allCases.names)") {
                RuleAction(rawValue: $0.lowercased())
            } ?? .auth
        configuration.domains = reader.list("domain").items
        configuration.whitelist = reader.list("whitelist").items
        configuration.matchWhitelistOrDomain = reader.bool("match-whitelist-or-domain")
        configuration.allowedGroups = reader.list("allowed-groups").items
        configuration.emailHeaderNames = reader.headerNames("email-header-names")
        configuration.claimHeaders = reader.claimHeaders(reserved: configuration.emailHeaderNames)
        configuration.skipAuthPreflight = reader.bool("skip-auth-preflight")
        configuration.trustForwardedPrefix = reader.bool("trust-forwarded-prefix")
        configuration.groupsFilter = reader.groupsFilter()
        configuration.forwardTokenHeaderName = reader.headerNames("forward-token-header-name").first
        configuration.forwardTokenPrefix = reader.string("forward-token-prefix")
        if let (definitions, compiled) = reader.rules() {
            configuration.rules = definitions
            configuration.ruleSet = compiled
        }

        // Kubernetes
        configuration.enableImpersonation = reader.bool("enable-impersonation")
        configuration.serviceAccountTokenPath = reader.string("service-account-token-path")
        configuration.groupClaimPrefix = reader.string("group-claim-prefix")
        configuration.groupsAttributeName = reader.required("groups-attribute-name") ?? "groups"
        configuration.enableRBAC = reader.bool("enable-rbac")
        configuration.rbacFile = reader.optionalString("rbac-file")?.value
        configuration.authzPassThrough = reader.list("authz-pass-through").items
        configuration.caseInsensitiveSubjects = reader.bool("case-insensitive-subjects")
        configuration.enableV3URLPatternMatching = reader.bool("enable-v3-url-pattern-matching")
        configuration.clusterStorage = ClusterStorageSettings(
            enabled: reader.bool("enable-in-cluster-storage"), namespace: reader.string("cluster-store-namespace"),
            cacheTTL: reader.int("cluster-store-cache-ttl", in: 0...Int.max))
        if configuration.clusterStorage.enabled {
            reader.warn("enable-in-cluster-storage is not supported; sessions stay in cookies")
        }
        if configuration.enableRBAC, configuration.rbacFile == nil, !inCluster {
            reader.problem(
                "enable-rbac: outside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set) roles and bindings "
                    + "must come from a file: set --rbac-file or RBAC_FILE")
        }
        if configuration.rbacFile != nil, !configuration.enableRBAC {
            reader.warn("rbac-file is set but enable-rbac is not: the file is not used")
        }
        if configuration.enableImpersonation,
            let clash = configuration.claimHeaders.first(where: {
                $0.header.lowercased() == "authorization" || $0.header.lowercased().hasPrefix("impersonate-")
            })
        {
            reader.problem(
                "claim-header: \(clash.header) is sent by enable-impersonation itself (Authorization, Impersonate-*)")
        }
        if configuration.groupClaimPrefix.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }),
            configuration.enableImpersonation || configuration.enableRBAC
        {
            reader.problem(
                "group-claim-prefix: empty (or blank) with enable-impersonation or enable-rbac: a provider's group would be a "
                    + "Kubernetes group as it is (system:masters); set a prefix such as oidc:")
        }
        if !configuration.authzPassThrough.isEmpty, !configuration.enableRBAC {
            reader.warn("authz-pass-through is set but enable-rbac is not: it has no effect")
        }

        // Across options
        if let authHost = configuration.authHost, !configuration.cookieDomains.isEmpty,
            !configuration.cookieDomains.contains(where: { Authority.host(authHost.host, isUnder: $0) })
        {
            reader.warn(
                "auth-host \(authHost) is under none of the cookie domains (\(configuration.cookieDomains.joined(separator: ", "))); "
                    + "hosts outside them log in on their own host")
        }
        return reader.problems.isEmpty ? configuration : nil
    }
}

extension Array where Element: RawRepresentable, Element.RawValue == String {
    /// `trace, debug, info` for "expected one of" messages.
    fileprivate var names: String { map(\.rawValue).joined(separator: ", ") }
}
