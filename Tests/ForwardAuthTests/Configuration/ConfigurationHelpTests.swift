import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC

@Suite("Configuration: help and documentation")
struct ConfigurationHelpTests {
    @Test func helpListsEveryOptionWithEveryName() {
        let help = Configuration.helpText()
        for option in ConfigurationOption.all {
            for flag in option.flagNames { #expect(help.contains("--\(flag)"), "--\(flag)") }
            for name in option.environmentNames { #expect(help.contains(name), "\(name)") }
            for key in option.iniAliases { #expect(help.contains(key), "\(key)") }
            #expect(help.contains(option.help), "\(option.name)'s help")
            if let value = option.defaultValue { #expect(help.contains(value), "\(option.name)'s default") }
        }
        for (field, _) in ConfigurationOption.ruleFields { #expect(help.contains("--rule.NAME.\(field)")) }
        #expect(help.contains("--help") && help.contains("--version"))
    }

    @Test func theMarkdownTableHasOneRowPerOption() {
        let rows = Configuration.markdownOptionTable().split(separator: "\n")
        #expect(rows.count == 2 + ConfigurationOption.all.count + ConfigurationOption.ruleFields.count)
        for (row, option) in zip(rows.dropFirst(2), ConfigurationOption.all) {
            #expect(row.hasPrefix("| `--\(option.name)`"))
            for name in option.environmentNames { #expect(row.contains("`\(name)`")) }
            // Four cells: five unescaped pipes.
            #expect(row.replacing("\\|", with: "").filter { $0 == "|" }.count == 5, "\(row)")
        }
    }

    @Test func everyNameIsTakenOnce() {
        let flags = ConfigurationOption.all.flatMap(\.flagNames)
        let environment = ConfigurationOption.all.flatMap(\.environmentNames)
        let iniKeys = ConfigurationOption.all.flatMap(\.iniKeys).map { $0.lowercased() }
        #expect(Set(flags).count == flags.count)
        #expect(Set(environment).count == environment.count)
        #expect(Set(iniKeys).count == iniKeys.count)
    }

    @Test func everyDefaultIsValid() throws {
        // Loading with only the required values exercises every default through its parser.
        _ = try ConfigurationInput.valid()
    }

    @Test func everyCompatNameIsKnown() {
        // COMPAT.md's table and thomseddon's names that operators already set.
        let names = [
            "LOG_LEVEL", "LOG_FORMAT", "PROVIDER_URI", "CLIENT_ID", "CLIENT_SECRET", "SCOPE", "AUTH_HOST", "CONFIG",
            "COOKIE_DOMAIN", "INSECURE_COOKIE", "COOKIE_NAME", "EMAIL_HEADER_NAMES", "USER_COOKIE_NAME",
            "CSRF_COOKIE_NAME", "CLAIMS_SESSION_NAME", "DEFAULT_ACTION", "DOMAIN", "LIFETIME", "URL_PATH", "SECRET",
            "ENCRYPTION_KEY", "WHITELIST", "ENABLE_IMPERSONATION", "FORWARD_TOKEN_HEADER_NAME", "FORWARD_TOKEN_PREFIX",
            "SERVICE_ACCOUNT_TOKEN_PATH", "ENABLE_V3_URL_PATTERN_MATCHING", "GROUP_CLAIM_PREFIX",
            "GROUPS_ATTRIBUTE_NAME", "ENABLE_RBAC", "AUTHZ_PASS_THROUGH", "CASE_INSENSITIVE_SUBJECTS",
            "ENABLE_IN_CLUSTER_STORAGE", "CLUSTER_STORE_NAMESPACE", "CLUSTER_STORE_CACHE_TTL", "PORT",
            "LISTEN_ADDRESS", "PROVIDERS_OIDC_ISSUER_URL", "PROVIDERS_OIDC_CLIENT_ID", "PROVIDERS_OIDC_CLIENT_SECRET",
            "DEFAULT_PROVIDER", "LOGOUT_REDIRECT", "MATCH_WHITELIST_OR_DOMAIN", "COOKIE_SECURE", "SECRET_FILE",
            "CLIENT_SECRET_FILE", "ENCRYPTION_KEY_FILE", "TRUSTED_AUDIENCE", "ALLOWED_GROUPS", "PREVIOUS_SECRETS",
            "SSL_CERT_FILE",
        ]
        let known = Set(ConfigurationOption.all.flatMap(\.environmentNames))
        for name in names { #expect(known.contains(name), "\(name)") }
        #expect(ConfigurationOption.named("groups-session-name", iniKey: true)?.name == "claims-session-name")
        #expect(ConfigurationOption.named("groups-session-name") == nil, "groups-session-name is an ini key only")
    }
}
