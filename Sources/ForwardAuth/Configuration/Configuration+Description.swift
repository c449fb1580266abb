import Foundation

extension Configuration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The effective settings as `name = value` lines, for a start-up log. Secrets show as `<redacted>`.
    public var description: String {
        func list(_ items: [String]) -> String { items.joined(separator: ",") }
        func redacted(_ secret: Secret?) -> String { secret == nil ? "" : "<redacted>" }
        var pairs: [(String, String)] = [
            ("config", configFile ?? ""),
            ("listen-address", listenAddress),
            ("port", String(port)),
            ("log-level", logLevel.rawValue),
            ("log-format", logFormat.rawValue),
            ("idle-timeout", String(idleTimeout)),
            ("read-header-timeout", String(readHeaderTimeout)),
            ("metrics-address", metricsAddress?.description ?? ""),
            ("provider-uri", issuer),
            ("client-id", clientID),
            ("client-secret", redacted(clientSecret)),
            ("scope", scopes.joined(separator: " ")),
            ("trusted-audience", list(trustedAudiences)),
            ("ssl-cert-file", caCertificateFile ?? ""),
            ("auth-host", authHost?.description ?? ""),
            ("cookie-domain", list(cookieDomains)),
            ("insecure-cookie", String(insecureCookie)),
            ("cookie-name", cookieName),
            ("user-cookie-name", userCookieName),
            ("csrf-cookie-name", csrfCookieName),
            ("claims-session-name", claimsCookieName),
            ("lifetime", String(lifetime)),
            ("url-path", urlPath),
            ("secret", redacted(secret)),
            ("encryption-key", redacted(encryptionKey)),
            ("previous-secrets", previousSecrets.isEmpty ? "" : "<\(previousSecrets.count) redacted>"),
            ("logout-redirect", logoutRedirect?.absoluteString ?? ""),
            ("default-action", defaultAction.rawValue),
            ("domain", list(domains)),
            ("whitelist", list(whitelist)),
            ("match-whitelist-or-domain", String(matchWhitelistOrDomain)),
            ("allowed-groups", list(allowedGroups)),
            ("email-header-names", list(emailHeaderNames)),
            ("forward-token-header-name", forwardTokenHeaderName ?? ""),
            ("forward-token-prefix", "\"\(forwardTokenPrefix)\""),
            ("enable-impersonation", String(enableImpersonation)),
            ("service-account-token-path", serviceAccountTokenPath),
            ("group-claim-prefix", groupClaimPrefix),
            ("groups-attribute-name", groupsAttributeName),
            ("enable-rbac", String(enableRBAC)),
            ("authz-pass-through", list(authzPassThrough)),
            ("case-insensitive-subjects", String(caseInsensitiveSubjects)),
            ("enable-v3-url-pattern-matching", String(enableV3URLPatternMatching)),
            ("enable-in-cluster-storage", String(clusterStorage.enabled)),
            ("cluster-store-namespace", clusterStorage.namespace),
            ("cluster-store-cache-ttl", String(clusterStorage.cacheTTL)),
        ]
        for rule in rules {
            pairs.append(("rule.\(rule.name).action", rule.action.rawValue))
            pairs.append(("rule.\(rule.name).rule", rule.rule))
            if !rule.whitelist.isEmpty { pairs.append(("rule.\(rule.name).whitelist", list(rule.whitelist))) }
            if !rule.domains.isEmpty { pairs.append(("rule.\(rule.name).domains", list(rule.domains))) }
            if !rule.groups.isEmpty { pairs.append(("rule.\(rule.name).groups", list(rule.groups))) }
        }
        return pairs.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
    }

    public var debugDescription: String { "Configuration(\n\(description)\n)" }
}
