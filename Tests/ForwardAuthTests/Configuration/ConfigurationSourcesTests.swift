import Foundation
import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

@Suite("Configuration: sources and precedence")
struct ConfigurationSourcesTests {
    typealias Input = ConfigurationInput

    @Test func defaultsMatchTheGoFork() throws {
        let c = try Input.valid().configuration
        #expect(c.listenAddress == "::")  // Go: ":4181", dual-stack
        #expect(c.port == 4181)
        #expect(c.logLevel == .warn)
        #expect(c.logFormat == .text)
        #expect(c.scopes == ["openid", "profile", "email", "groups"])
        #expect(c.cookieName == "_forward_auth")
        #expect(c.userCookieName == "_forward_auth_name")
        #expect(c.csrfCookieName == "_forward_auth_csrf")
        #expect(c.claimsCookieName == "_forward_auth_claims")
        #expect(c.emailHeaderNames == ["X-Forwarded-User"])
        #expect(c.defaultAction == .auth)
        #expect(c.lifetime == 43200)
        #expect(c.urlPath == "/_oauth")
        #expect(c.forwardTokenPrefix == "Bearer ")
        #expect(c.forwardTokenHeaderName == nil)
        #expect(c.serviceAccountTokenPath == "/var/run/secrets/kubernetes.io/serviceaccount/token")
        #expect(c.groupClaimPrefix == "oidc:")
        #expect(c.groupsAttributeName == "groups")
        #expect(c.matchWhitelistOrDomain)
        #expect(!c.insecureCookie && !c.enableRBAC && !c.enableImpersonation && !c.caseInsensitiveSubjects)
        #expect(!c.enableV3URLPatternMatching)
        #expect(c.clusterStorage == ClusterStorageSettings(enabled: false, namespace: "default", cacheTTL: 60))
        #expect(c.authHost == nil && c.cookieDomains.isEmpty && c.encryptionKey == nil && c.logoutRedirect == nil)
        #expect(c.rules.isEmpty && c.caCertificateFile == nil && c.configFile == nil)
    }

    @Test func environmentAlone() throws {
        let c = try Input.valid(
            environment: Input.environment([
                "PORT": "8080", "LOG_LEVEL": "DEBUG", "COOKIE_DOMAIN": "example.com",
                "CASE_INSENSITIVE_SUBJECTS": "yes",
                "LIFETIME": "3600",
            ])
        ).configuration
        #expect(c.issuer == "https://dex.example.com/dex")
        #expect(c.providerURI == URL(string: "https://dex.example.com/dex"))
        #expect(c.clientID == "forward-auth")
        #expect(c.clientSecret.revealString() == "client-secret-value")
        #expect(c.secret.revealString() == Input.secret)
        #expect(c.port == 8080 && c.logLevel == .debug && c.caseInsensitiveSubjects && c.lifetime == 3600)
        #expect(c.cookieDomains == ["example.com"])
    }

    @Test func flagsAloneInBothSpellings() throws {
        let c = try Input.valid(
            [
                "--provider-uri", "https://dex.example.com/dex", "--client-id=fa", "--client-secret", "cs",
                "--secret=\(Input.secret)", "--insecure-cookie", "--enable-rbac=false", "--log-format", "json",
                "--auth-host", "Auth.Example.com",
            ], environment: [:]
        ).configuration
        #expect(c.clientID == "fa" && c.clientSecret == Secret("cs"))
        #expect(c.insecureCookie && !c.enableRBAC && c.logFormat == .json)
        #expect(c.authHost?.description == "auth.example.com")
    }

    @Test func iniFileAlone() throws {
        let file = """
            # forward-auth
            ; another comment

            provider-uri = https://dex.example.com/dex
            client-id=forward-auth
            client-secret   from-the-file
            secret = \(Input.secret)
            [Application Options]
            forward-token-prefix = "Token "
            enable-impersonation
            """
        let c = try Input.valid(["--config", "/etc/fa.ini"], environment: [:], files: ["/etc/fa.ini": file])
            .configuration
        #expect(c.clientID == "forward-auth")
        #expect(c.clientSecret.revealString() == "from-the-file")
        #expect(c.forwardTokenPrefix == "Token ")
        #expect(c.enableImpersonation)
        #expect(c.configFile == "/etc/fa.ini")
    }

    @Test func iniFileNamedByEnvironmentWithWindowsLineEnds() throws {
        let file = "port = 9000\r\nlog-level debug\r\n"
        let c = try Input.valid(environment: Input.environment(["CONFIG": "/fa.ini"]), files: ["/fa.ini": file])
            .configuration
        #expect(c.port == 9000 && c.logLevel == .debug)
    }

    @Test func theConfigFileBeatsFlagsBeatEnvironment() throws {
        // As go-flags reads them: environment variables are defaults, flags win over them, and the file the
        // CONFIG variable names is read last (DKP's chart passes its extraConfig that way).
        let files = ["/fa.ini": "port = 1001\nlog-level = error\n"]
        let environment = Input.environment(["CONFIG": "/fa.ini", "PORT": "1002", "LOG_LEVEL": "info", "LIFETIME": "7"])
        let c = try Input.valid(["--port=1003", "--lifetime=8"], environment: environment, files: files).configuration
        #expect(c.port == 1001)
        #expect(c.logLevel == .error)
        #expect(c.lifetime == 8)
        let withoutFile = try Input.valid(
            ["--port=1003"], environment: Input.environment(["PORT": "1002", "LIFETIME": "7"])
        ).configuration
        #expect(withoutFile.port == 1003 && withoutFile.lifetime == 7)
    }

    @Test func aConfigFlagCountsWhereItStands() throws {
        let files = ["/fa.ini": "port = 1001\nlog-level = error\n"]
        let environment = Input.environment(["PORT": "1002", "LOG_LEVEL": "info"])
        let c = try Input.valid(["--port=1003", "--config=/fa.ini"], environment: environment, files: files)
            .configuration
        #expect(c.port == 1001, "the file comes after the flag")
        #expect(c.logLevel == .error, "the file wins over the environment")
        let flagAfter = try Input.valid(["--config=/fa.ini", "--port=1003"], environment: environment, files: files)
            .configuration
        #expect(flagAfter.port == 1003)
    }

    @Test func aConfigFlagReplacesTheConfigVariable() throws {
        let files = ["/flag.ini": "port = 1001\n", "/env.ini": "port = 1002\nlifetime = 9\n"]
        let c = try Input.valid(
            ["--config=/flag.ini"], environment: Input.environment(["CONFIG": "/env.ini"]), files: files
        ).configuration
        #expect(c.port == 1001 && c.lifetime == 43200, "go-flags never reads CONFIG when --config is given")
        #expect(c.configFile == "/flag.ini")
    }

    @Test func listsTakeCommasAndRepeatsWithinOneSource() throws {
        let c = try Input.valid(["--cookie-domain", "a.example.com, b.example.com", "--cookie-domain=c.example.com"])
            .configuration
        #expect(c.cookieDomains == ["a.example.com", "b.example.com", "c.example.com"])
        let file = "whitelist = a@x.io\nwhitelist = b@x.io,c@x.io\n"
        let fromFile = try Input.valid(["--config=/f"], files: ["/f": file]).configuration
        #expect(fromFile.whitelist == ["a@x.io", "b@x.io", "c@x.io"])
    }

    @Test func aHigherSourceReplacesALowerOnesList() throws {
        let environment = Input.environment(["CONFIG": "/f", "DOMAIN": "env.io", "WHITELIST": "a@env.io"])
        let files = ["/f": "domain = file.io\nallowed-groups = admins\n"]
        let c = try Input.valid(
            ["--domain=flag.io", "--whitelist=a@flag.io", "--whitelist=b@flag.io"], environment: environment,
            files: files
        ).configuration
        #expect(c.domains == ["file.io"])
        #expect(c.whitelist == ["a@flag.io", "b@flag.io"])
        #expect(c.allowedGroups == ["admins"])
        #expect(try Input.valid(environment: environment, files: files).configuration.whitelist == ["a@env.io"])
    }

    @Test func scopeReplacesTheDefaultAndTakesSpacesOrCommas() throws {
        let c = try Input.valid(environment: Input.environment(["SCOPE": "openid email,offline_access"]))
            .configuration
        #expect(c.scopes == ["openid", "email", "offline_access"])
    }

    @Test func valuesAreNormalized() throws {
        let c = try Input.valid(
            environment: Input.environment([
                "COOKIE_DOMAIN": ".Example.COM", "URL_PATH": "oauth2", "PROVIDER_URI": "https://Dex.example.com/dex/",
            ])
        ).configuration
        #expect(c.cookieDomains == ["example.com"])
        #expect(c.urlPath == "/oauth2")
        #expect(c.issuer == "https://Dex.example.com/dex/", "the issuer is compared exactly: keep it as written")
    }

    @Test func thomseddonAliases() throws {
        let environment = [
            "PROVIDERS_OIDC_ISSUER_URL": "https://dex.example.com/dex", "PROVIDERS_OIDC_CLIENT_ID": "old-id",
            "PROVIDERS_OIDC_CLIENT_SECRET": "old-secret", "SECRET": Input.secret, "CONFIG": "/f",
            "MATCH_WHITELIST_OR_DOMAIN": "false", "LOGOUT_REDIRECT": "https://example.com/bye",
        ]
        let c = try Input.valid(environment: environment, files: ["/f": "groups-session-name = _claims\n"])
            .configuration
        #expect(c.issuer == "https://dex.example.com/dex")
        #expect(c.clientID == "old-id" && c.clientSecret == Secret("old-secret"))
        #expect(c.claimsCookieName == "_claims")
        #expect(!c.matchWhitelistOrDomain)
        #expect(c.logoutRedirect == URL(string: "https://example.com/bye"))

        let flags = try Input.valid(
            ["--providers.oidc.issuer-url=https://other.example.com", "--providers.oidc.client-id", "flag-id"]
        ).configuration
        #expect(flags.issuer == "https://other.example.com" && flags.clientID == "flag-id")
    }

    @Test func thePreferredEnvironmentNameWinsWithAWarning() throws {
        let (c, warnings) = try Input.valid(
            environment: Input.environment(["PROVIDERS_OIDC_ISSUER_URL": "https://other.example.com"]))
        #expect(c.issuer == "https://dex.example.com/dex")
        #expect(warnings.contains { $0.contains("PROVIDER_URI and PROVIDERS_OIDC_ISSUER_URL") })
    }

    @Test func rulesFromTheFileAndFlags() throws {
        let file = """
            rule.api.action = allow
            rule.api.rule = Host(`api.example.com`) && PathPrefix(`/v1`)
            rule.admin.rule = PathPrefix(`/admin`)
            rule.admin.groups = ops, admins
            rule.admin.whitelist = a@example.com
            rule.admin.domains = example.com
            rule.legacy.rule Host(`legacy.example.com`)
            """
        let c = try Input.valid(
            [
                "--config=/f", "--rule.api.rule=Host(`api2.example.com`)", "--rule.extra.rule", "Path(`/x`)",
                "--rule.extra.action=deny",
            ],
            files: ["/f": file]
        ).configuration
        #expect(c.rules.map(\.name) == ["api", "admin", "legacy", "extra"])
        #expect(c.rules[0] == RuleDefinition(name: "api", action: .allow, rule: "Host(`api2.example.com`)"))
        #expect(
            c.rules[1]
                == RuleDefinition(
                    name: "admin", rule: "PathPrefix(`/admin`)", whitelist: ["a@example.com"], domains: ["example.com"],
                    groups: ["ops", "admins"]))
        #expect(c.rules[2].rule == "Host(`legacy.example.com`)")
        #expect(c.rules[3].action == .deny)
    }

    @Test func iniKeysIgnoreCaseButRuleNamesKeepIt() throws {
        let file = "Log-Level = debug\nRule.API.Rule = Path(`/api`)\nRULE.API.ACTION = allow\n"
        let c = try Input.valid(["--config=/f"], files: ["/f": file]).configuration
        #expect(c.logLevel == .debug)
        #expect(c.rules == [RuleDefinition(name: "API", action: .allow, rule: "Path(`/api`)")])
    }

    @Test func anEmptyEnvironmentVariableCountsAsUnset() throws {
        let c = try Input.valid(
            environment: Input.environment(["CONFIG": "/f", "AUTH_HOST": ""]),
            files: ["/f": "auth-host = auth.example.com\n"]
        ).configuration
        #expect(c.authHost?.description == "auth.example.com")
    }

    @Test func aRepeatedScalarKeepsTheLastValueWithAWarning() throws {
        let (c, warnings) = try Input.valid(["--port=1", "--port=2"])
        #expect(c.port == 2)
        #expect(warnings.contains { $0.contains("--port is given 2 times") })
    }

    @Test func helpAndVersionWinOverEverything() {
        guard case .help(let text) = Input.load(["--bogus", "-h"], environment: [:]) else {
            Issue.record("expected help")
            return
        }
        #expect(text.contains("--provider-uri"))
        guard case .version = Input.load(["--version"], environment: [:]) else {
            Issue.record("expected version")
            return
        }
    }
}
