import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthWire

/// What the Go fork (go-flags) started with keeps starting: its bool spellings, the `CONFIG` file's unknown keys and
/// the bad values it dropped, `SESSION_KEY`, short keys. Each deliberate difference is a row of the table in
/// docs/configuration.md.
@Suite("Configuration: read as the Go fork reads it")
struct ConfigurationGoReadingTests {
    typealias Input = ConfigurationInput

    @Test(arguments: ["1", "t", "T", "TRUE", "true", "True", "yes", "YES"])
    func goTrueSpellings(_ spelling: String) throws {
        let c = try Input.valid(environment: Input.environment(["ENABLE_IMPERSONATION": spelling])).configuration
        #expect(c.enableImpersonation)
        #expect(try Input.valid(["--insecure-cookie=\(spelling)"]).configuration.insecureCookie)
    }

    @Test(arguments: ["0", "f", "F", "FALSE", "false", "False", "no"])
    func goFalseSpellings(_ spelling: String) throws {
        let c = try Input.valid(environment: Input.environment(["MATCH_WHITELIST_OR_DOMAIN": spelling])).configuration
        #expect(!c.matchWhitelistOrDomain)
    }

    @Test func anUnknownKeyInTheConfigFileIsSkippedAndTheRestRead() throws {
        // DKP's extraConfig with a key the fork does not know: the Go pod started (go-flags dropped the file's
        // error, and every later line with it); forward-auth starts too, says so, and reads the later lines.
        let file = """
            client-id = from-file
            cookie-domains = example.com
            log-level = debug
            rule.api.rule = PathPrefix(`/api`)
            """
        let (c, warnings) = try Input.valid(
            environment: Input.environment(["CONFIG": "/etc/fa/config.ini"]), files: ["/etc/fa/config.ini": file])
        #expect(c.clientID == "from-file" && c.logLevel == .debug)
        #expect(c.cookieDomains.isEmpty && c.rules.map(\.name) == ["api"])
        #expect(
            warnings.contains {
                $0.hasPrefix("/etc/fa/config.ini:2: unknown key \"cookie-domains\" (did you mean cookie-domain?)")
                    && $0.hasSuffix("; skipped")
            }, "\(warnings)")
        #expect(
            warnings.contains {
                $0.hasPrefix("/etc/fa/config.ini:2: the Go fork v3.3.0 did not know \"cookie-domains\"")
                    && $0.contains("never applied these later keys: log-level, rule.api.rule;")
            }, "\(warnings)")
    }

    @Test func aKeyOnlyForwardAuthKnowsIsReadAndGoStoppingThereIsNamed() throws {
        // DKP's attached clusters write groups-session-name, which v3.3.0 did not know.
        let file = "groups-session-name = _claims\ncookie-name = _fa\n"
        let (c, warnings) = try Input.valid(environment: Input.environment(["CONFIG": "/f"]), files: ["/f": file])
        #expect(c.claimsCookieName == "_claims" && c.cookieName == "_fa")
        #expect(warnings.contains { $0.contains("/f:1: the Go fork v3.3.0 did not know \"groups-session-name\"") })
        #expect(warnings.contains { $0.contains("these later keys: cookie-name;") })
    }

    @Test func goSessionsKeepTheClaimsCookieNameGoUsed() throws {
        // DKP attached: Go ignored groups-session-name and wrote its claims under the default name.
        let attached = try Input.valid(
            environment: Input.environment(["CONFIG": "/f"]),
            files: ["/f": "groups-session-name = _forward_auth_claims_kommander\n"]
        ).configuration
        #expect(attached.claimsCookieName == "_forward_auth_claims_kommander")
        #expect(attached.goClaimsCookieName == "_forward_auth_claims")
        let bothNames = try Input.valid(
            environment: Input.environment(["CONFIG": "/f", "CLAIMS_SESSION_NAME": "_env_claims"]),
            files: ["/f": "groups-session-name = _ours\n"]
        ).configuration
        #expect(bothNames.claimsCookieName == "_ours" && bothNames.goClaimsCookieName == "_env_claims")
        let goKey = try Input.valid(
            environment: Input.environment(["CONFIG": "/f"]), files: ["/f": "claims-session-name = _c\n"]
        ).configuration
        #expect(goKey.claimsCookieName == "_c" && goKey.goClaimsCookieName == "_c")
    }

    @Test func aConfigFlagFileStaysStrict() {
        let problems = Input.problems(["--config=/f"], files: ["/f": "cookie-domains = example.com\nbogus\n"])
        #expect(problems.contains { $0.hasPrefix("/f:1: unknown key \"cookie-domains\"") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("/f:2: unknown key \"bogus\"") }, "\(problems)")
    }

    @Test func aMalformedConfigFileLineIsSkipped() throws {
        let file = "= nothing\nforward-token-prefix = \"Token \nport = 9000\n"
        let (c, warnings) = try Input.valid(environment: Input.environment(["CONFIG": "/f"]), files: ["/f": file])
        #expect(c.port == 9000 && c.forwardTokenPrefix == "Bearer ")
        #expect(warnings.contains("/f:1: expected `key = value`; skipped"))
        #expect(warnings.contains("/f:2 forward-token-prefix: unterminated quoted value; skipped"))
    }

    @Test func badValuesGoDroppedAreIgnoredWithAWarning() throws {
        let (c, warnings) = try Input.valid(
            environment: Input.environment([
                "LOG_LEVEL": "verbose", "LIFETIME": "12h", "INSECURE_COOKIE": "maybe", "DEFAULT_ACTION": "block",
            ]))
        #expect(c.logLevel == .warn && c.lifetime == 43200 && !c.insecureCookie && c.defaultAction == .auth)
        for fragment in [
            "LOG_LEVEL: \"verbose\" is not one of", "LIFETIME: \"12h\" is not an integer",
            "INSECURE_COOKIE: \"maybe\" is not a boolean", "DEFAULT_ACTION: \"block\" is not one of",
        ] {
            #expect(
                warnings.contains { $0.hasPrefix(fragment) && $0.hasSuffix("ignored, as the Go fork ignores it") },
                "\(fragment) in \(warnings)")
        }
    }

    @Test func aBadValueInTheConfigFileLeavesTheOneBelow() throws {
        let (c, warnings) = try Input.valid(
            ["--log-level=info"], environment: Input.environment(["CONFIG": "/f", "LIFETIME": "60"]),
            files: ["/f": "log-level = loud\nlifetime = soon\n"])
        #expect(c.logLevel == .info, "the flag's value, under the file's ignored one")
        #expect(c.lifetime == 60, "the environment's value, under the file's ignored one")
        #expect(warnings.contains { $0.hasPrefix("/f:1 log-level: \"loud\" is not one of") })
        #expect(warnings.contains { $0.hasPrefix("/f:2 lifetime: \"soon\" is not an integer") })
    }

    @Test func badValuesOfOptionsGoNeverConvertedStayProblems() {
        // auth-host was a plain string to go-flags (it never ignored one), and enable-rbac's fallback would switch
        // RBAC off; forward-auth's own options were never read by the fork.
        let problems = Input.problems(
            environment: Input.environment([
                "AUTH_HOST": "https://auth.example.com/", "ENABLE_RBAC": "on", "ACCEPT_GO_COOKIES": "sure",
            ]))
        #expect(problems.count == 3, "\(problems)")
    }

    @Test func sessionKeyIsReadAsTheEncryptionKey() throws {
        // Chart 0.3.10 passes the key as SESSION_KEY when image.tag does not parse as a semver above 3.0.0.
        let key = "encryption-key-0123456789abcdef0"
        let (c, warnings) = try Input.valid(environment: Input.environment(["SESSION_KEY": key]))
        #expect(c.encryptionKey == Secret(key))
        #expect(warnings.contains { $0.hasPrefix("SESSION_KEY is read as encryption-key") })
        #expect(!warnings.joined().contains(key))

        let file = try Input.valid(
            environment: Input.environment(["CONFIG": "/f"]), files: ["/f": "session-key = \(key)\n"])
        #expect(file.configuration.encryptionKey == Secret(key))
        #expect(file.warnings.contains { $0.hasPrefix("/f:1 session-key is read as encryption-key") })

        let both = try Input.valid(environment: Input.environment(["SESSION_KEY": key, "ENCRYPTION_KEY": key + "x"]))
        #expect(both.configuration.encryptionKey == Secret(key + "x"), "ENCRYPTION_KEY wins")
    }

    @Test func aShortSecretStartsWithAWarning() throws {
        let (c, warnings) = try Input.valid(environment: Input.environment(["SECRET": "short", "ENCRYPTION_KEY": "k"]))
        #expect(c.secret == Secret("short") && c.encryptionKey == Secret("k"))
        #expect(warnings.contains { $0.hasPrefix("SECRET is only 5 bytes: a key this short can be guessed") })
        #expect(warnings.contains { $0.hasPrefix("ENCRYPTION_KEY is only 1 bytes") })
    }
}
