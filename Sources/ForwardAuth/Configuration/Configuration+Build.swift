import Foundation

extension Configuration {
    /// Reads and validates every option from `reader`; nil when any problem was found (they are in `reader`).
    ///
    /// Every option is read before deciding, so one run reports every problem, in table order.
    static func build(from reader: inout ConfigurationReader, configFile: String?) -> Configuration? {
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
        configuration.authzPassThrough = reader.list("authz-pass-through").items
        configuration.caseInsensitiveSubjects = reader.bool("case-insensitive-subjects")
        configuration.enableV3URLPatternMatching = reader.bool("enable-v3-url-pattern-matching")
        configuration.clusterStorage = ClusterStorageSettings(
            enabled: reader.bool("enable-in-cluster-storage"), namespace: reader.string("cluster-store-namespace"),
            cacheTTL: reader.int("cluster-store-cache-ttl", in: 0...Int.max))
        if configuration.clusterStorage.enabled {
            reader.warn("enable-in-cluster-storage is not supported; sessions stay in cookies")
        }
        // Not built yet. RBAC narrows who passes: ignoring it would let every signed-in user through, so refuse
        // to start. The other two only add what the upstream needs; without it the upstream refuses (fails closed).
        if configuration.enableRBAC {
            reader.problem(
                "enable-rbac: Kubernetes RBAC authorization is not available in this version; refusing to start "
                    + "rather than let every signed-in user through")
        }
        if configuration.enableImpersonation {
            reader.warn("enable-impersonation is not available in this version: no Impersonate-* headers are sent")
        }
        if configuration.forwardTokenHeaderName != nil {
            reader.warn("forward-token-header-name is not available in this version: the ID token is not forwarded")
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
