/// What the Go fork (mesosphere/traefik-forward-auth v3.3.0, whose parser is go-flags) knows of the configuration,
/// where forward-auth follows it so that a swap keeps the pods starting.
enum GoForkOptions {
    /// The fork's option names (flags and ini keys). An ini key outside these (and outside `rule.NAME.action` /
    /// `rule.NAME.rule`) made go-flags stop reading the file.
    static let names: Set<String> = [
        "log-level", "log-format", "provider-uri", "client-id", "client-secret", "scope", "auth-host", "config",
        "cookie-domain", "insecure-cookie", "cookie-name", "email-header-names", "user-cookie-name",
        "csrf-cookie-name", "claims-session-name", "default-action", "domain", "lifetime", "url-path", "secret",
        "whitelist", "enable-impersonation", "forward-token-header-name", "forward-token-prefix",
        "service-account-token-path", "group-claim-prefix", "encryption-key", "groups-attribute-name", "enable-rbac",
        "authz-pass-through", "case-insensitive-subjects", "enable-in-cluster-storage", "cluster-store-namespace",
        "cluster-store-cache-ttl", "enable-v3-url-pattern-matching",
    ]

    /// The rule fields the fork reads; any other made it stop reading the file.
    static let ruleFields: Set<String> = ["action", "rule"]

    /// The fork's options whose values go-flags itself converted (booleans, integers, `choice` lists); a value it
    /// could not convert from the environment or the `CONFIG` file was dropped without a word. Its string options
    /// took anything, so forward-auth's checks of those stay problems.
    static let converted: Set<String> = [
        "log-level", "log-format", "default-action", "lifetime", "cluster-store-cache-ttl", "insecure-cookie",
        "enable-impersonation", "case-insensitive-subjects", "enable-in-cluster-storage",
        "enable-v3-url-pattern-matching",
    ]

    /// Whether a bad value of `option` from the environment or the `CONFIG` file is ignored with a warning, as
    /// go-flags ignored it, instead of stopping the start. `enable-rbac` is not among them although go-flags
    /// dropped its bad values too: ignoring one would switch off the check the operator asked for (`rule.*` and
    /// `groups-filter` are never lenient for the same reason).
    static func ignoresBadValue(of option: String) -> Bool {
        converted.contains(option)
    }

    /// Whether the fork read the ini key `key` (lower-cased) rather than stopping the file there.
    static func knowsIniKey(_ key: String) -> Bool {
        if key.hasPrefix("rule.") {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 3 && !parts[1].isEmpty && ruleFields.contains(String(parts[2]))
        }
        return names.contains(key)
    }
}
