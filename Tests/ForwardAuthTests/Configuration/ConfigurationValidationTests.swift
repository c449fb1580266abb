import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

@Suite("Configuration: validation")
struct ConfigurationValidationTests {
    typealias Input = ConfigurationInput

    /// One mistake and a fragment of the problem it must produce.
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String] = []
        var environment: [String: String] = [:]
        var files: [String: String] = [:]
        let expected: String
        var testDescription: String { expected }
    }

    static let cases: [Case] = [
        Case(
            environment: ["PROVIDER_URI": ""], expected: "provider-uri is required: set --provider-uri or PROVIDER_URI"),
        Case(
            environment: ["PROVIDER_URI": "dex.example.com"],
            expected: "PROVIDER_URI: \"dex.example.com\" is not an absolute http(s) URL"),
        Case(environment: ["PROVIDER_URI": "ftp://dex.example.com"], expected: "is not an absolute http(s) URL"),
        Case(environment: ["PROVIDER_URI": "https://dex.example.com/?x=1"], expected: "without query or fragment"),
        Case(environment: ["CLIENT_ID": ""], expected: "client-id is required"),
        Case(
            environment: ["CLIENT_SECRET": ""],
            expected: "client-secret is required: set --client-secret or CLIENT_SECRET"),
        Case(
            environment: ["SECRET": ""],
            expected: "secret is required: set --secret or SECRET or --secret-file or SECRET_FILE"),
        Case(
            environment: ["PREVIOUS_SECRETS": "\(Input.secret),short"],
            expected: "PREVIOUS_SECRETS: entry 2 is shorter than 16 bytes"),
        Case(environment: ["SCOPE": "profile email"], expected: "SCOPE: must contain openid"),
        // Values go-flags converts (bool, int, choice) are problems on the command line; from the environment or
        // the CONFIG file they are ignored with a warning (ConfigurationGoReadingTests).
        Case(arguments: ["--lifetime=0"], expected: "--lifetime: \"0\" is not an integer of at least 1"),
        Case(arguments: ["--lifetime", "12h"], expected: "--lifetime: \"12h\" is not an integer"),
        Case(environment: ["PORT": "0"], expected: "PORT: \"0\" is not an integer from 1 to 65535"),
        Case(arguments: ["--port=65536"], expected: "--port: \"65536\" is not an integer from 1 to 65535"),
        Case(
            arguments: ["--cluster-store-cache-ttl=-1"], expected: "--cluster-store-cache-ttl: \"-1\" is not an integer"
        ),
        Case(
            arguments: ["--log-level=verbose"],
            expected: "--log-level: \"verbose\" is not one of trace, debug, info, warn, error, fatal, panic"),
        Case(
            arguments: ["--config=/f"], files: ["/f": "log-format = xml\n"],
            expected: "/f:1 log-format: \"xml\" is not one of text, json, pretty"),
        Case(
            arguments: ["--default-action=block"],
            expected: "--default-action: \"block\" is not one of auth, allow, deny"),
        Case(environment: ["ENABLE_RBAC": "on"], expected: "ENABLE_RBAC: \"on\" is not a boolean"),
        Case(
            environment: ["CONFIG": "/f"], files: ["/f": "enable-rbac = sure\n"],
            expected: "/f:1 enable-rbac: \"sure\" is not a boolean"),
        Case(
            environment: ["CONFIG": "/f"], files: ["/f": "rule.a.colour = red\n"],
            expected: "/f:1 rule.a.colour: unknown rule field"),
        Case(environment: ["GROUPS_FILTER": "("], expected: "GROUPS_FILTER: \"(\" is not a usable regular expression"),
        Case(
            environment: ["TRUST_FORWARDED_PREFIX": "maybe"],
            expected: "TRUST_FORWARDED_PREFIX: \"maybe\" is not a boolean"
        ),
        Case(
            environment: ["DEFAULT_PROVIDER": "google"],
            expected: "DEFAULT_PROVIDER: \"google\" is not supported; only oidc"),
        Case(environment: ["URL_PATH": "/"], expected: "URL_PATH: \"/\" is not a callback path"),
        Case(environment: ["URL_PATH": "/_oauth?x"], expected: "is not a callback path"),
        Case(
            environment: ["COOKIE_DOMAIN": "example.com,https://example.org"],
            expected: "COOKIE_DOMAIN: \"https://example.org\" is not a host name"),
        Case(
            environment: ["AUTH_HOST": "https://auth.example.com/"],
            expected: "AUTH_HOST: \"https://auth.example.com/\" is not a host name"),
        Case(
            environment: ["LOGOUT_REDIRECT": "/bye"],
            expected: "LOGOUT_REDIRECT: \"/bye\" is not an absolute http(s) URL"),
        Case(
            environment: ["EMAIL_HEADER_NAMES": "X-User,Bad Header"],
            expected: "EMAIL_HEADER_NAMES: \"Bad Header\" is not a valid header name"),
        Case(environment: ["FORWARD_TOKEN_HEADER_NAME": "X:Token"], expected: "\"X:Token\" is not a valid header name"),
        Case(environment: ["COOKIE_NAME": "a;b"], expected: "COOKIE_NAME: \"a;b\" is not a valid cookie name"),
        Case(arguments: ["--insecure-cookie=maybe"], expected: "--insecure-cookie: \"maybe\" is not a boolean"),
        Case(arguments: ["--enable-rbac=on"], expected: "--enable-rbac: \"on\" is not a boolean"),
        Case(environment: ["LISTEN_ADDRESS": "0.0.0.0 1"], expected: "LISTEN_ADDRESS: \"0.0.0.0 1\" is not an address"),
        Case(arguments: ["--bogus"], expected: "unknown option --bogus"),
        Case(
            arguments: ["--cookie-domian=example.com"],
            expected: "unknown option --cookie-domian (did you mean --cookie-domain?)"),
        Case(arguments: ["--port"], expected: "--port: needs a value"),
        Case(arguments: ["--client-id", "--port=1"], expected: "--client-id: needs a value"),
        Case(arguments: ["--enable-rbac", "false"], expected: "unexpected argument \"false\""),
        Case(arguments: ["--", "x"], expected: "unexpected argument \"x\""),
        Case(arguments: ["--rule.a.bogus=x"], expected: "--rule.a.bogus: unknown rule field \"bogus\""),
        Case(arguments: ["--rule.a=x"], expected: "--rule.a: rule keys have the form rule.NAME.FIELD"),
        Case(arguments: ["--rule.a.action=allow"], expected: "rule a: has no matcher; set rule.a.rule"),
        Case(
            arguments: ["--rule.a.rule=Path(`/`)", "--rule.a.action=maybe"],
            expected: "--rule.a.action: \"maybe\" is not one of auth, allow, deny"),
        Case(arguments: ["--rule.a.rule=Path(`/`)", "--rule.a.provider=google"], expected: "only oidc"),
        Case(arguments: ["--config=/missing.ini"], expected: "--config: cannot read /missing.ini: no such file"),
        Case(arguments: ["--config=/f"], files: ["/f": "bogus-key = 1\n"], expected: "/f:1: unknown key \"bogus-key\""),
        Case(
            arguments: ["--config=/f"], files: ["/f": "# c\nrule.x.colour = red\n"],
            expected: "/f:2 rule.x.colour: unknown rule field"),
        Case(
            arguments: ["--config=/f"], files: ["/f": "forward-token-prefix = \"Bearer \n"],
            expected: "/f:1 forward-token-prefix: unterminated quoted value"),
        Case(
            environment: ["SECRET_FILE": "/s"], files: ["/s": "from-file-0123456789\n"],
            expected: "SECRET and SECRET_FILE both give secret; give only one"),
        Case(environment: ["SECRET": "", "SECRET_FILE": "/missing"], expected: "SECRET_FILE: cannot read /missing"),
        Case(
            environment: ["SECRET": "", "SECRET_FILE": "/s"], files: ["/s": "\n"], expected: "SECRET_FILE: /s is empty"),
        Case(
            environment: ["SSL_CERT_FILE": "/ca"], files: ["/ca": "not a certificate"],
            expected: "SSL_CERT_FILE: /ca holds no PEM certificate"),
        Case(environment: ["SSL_CERT_FILE": "/missing"], expected: "SSL_CERT_FILE: cannot read /missing"),
    ]

    @Test(arguments: cases)
    func eachMistakeIsNamed(_ mistake: Case) {
        let problems = Input.problems(
            mistake.arguments, environment: Input.environment(mistake.environment), files: mistake.files)
        #expect(problems.contains { $0.contains(mistake.expected) }, "\(problems)")
    }

    @Test func fiveMistakesGiveFiveProblems() {
        let problems = Input.problems(
            ["--bogus", "--port=http"],
            environment: Input.environment(["CLIENT_ID": "", "SCOPE": "email", "LOGOUT_REDIRECT": "/bye"]))
        #expect(problems.count == 5, "\(problems)")
        // Stable order: command-line syntax first, then option checks in table order.
        #expect(problems.first?.hasPrefix("unknown option --bogus") == true)
        #expect(problems.dropFirst().first?.hasPrefix("--port") == true)
    }

    @Test func matcherErrorsFromRuleSetJoinTheProblems() {
        let definition = RuleDefinition(name: "broken", rule: "Host(`a.example.com`")
        var expected: [String] = []
        do { _ = try RuleSet([definition]) } catch {
            expected = error.description.split(separator: "\n").map(String.init)
        }
        #expect(!expected.isEmpty, "RuleSet must reject an unclosed matcher")
        let problems = Input.problems(["--rule.broken.rule=Host(`a.example.com`", "--port=0"])
        for line in expected { #expect(problems.contains(line)) }
        #expect(problems.contains { $0.hasPrefix("--port") }, "other problems are still reported")
    }

    @Test func aHigherSourceSecretReplacesALowerSecretFile() throws {
        let files = ["/f": "secret = \(Input.secret)\n", "/s": "from-the-file-0123456789abcdef01\r\n"]
        let c = try Input.valid(
            environment: Input.environment(["CONFIG": "/f", "SECRET": "", "SECRET_FILE": "/s"]), files: files
        ).configuration
        #expect(c.secret.revealString() == Input.secret, "the CONFIG file is read last")
        let flag = try Input.valid(
            ["--secret-file=/s"], environment: Input.environment(["SECRET": Input.secret]), files: files
        ).configuration
        #expect(flag.secret.revealString() == "from-the-file-0123456789abcdef01")
    }

    @Test func secretFilesFeedEachSecret() throws {
        let files = ["/cs": "client-secret-from-file\n", "/ek": "encryption-key-0123456789\n"]
        let c = try Input.valid(
            ["--encryption-key-file", "/ek"],
            environment: Input.environment(["CLIENT_SECRET": "", "CLIENT_SECRET_FILE": "/cs"]), files: files
        ).configuration
        #expect(c.clientSecret.revealString() == "client-secret-from-file")
        #expect(c.encryptionKey?.revealString() == "encryption-key-0123456789")
    }

    @Test func caBundleIsCheckedAndKept() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let c = try Input.valid(environment: Input.environment(["SSL_CERT_FILE": "/ca.pem"]), files: ["/ca.pem": pem])
            .configuration
        #expect(c.caCertificateFile == "/ca.pem")
    }

    @Test(arguments: [
        (["SECRET": "0123456789abcdef"], "SECRET is shorter than 32 bytes"),
        (["COOKIE_SECURE": "false"], "COOKIE_SECURE is ignored; use insecure-cookie"),
        (["ENABLE_IN_CLUSTER_STORAGE": "true"], "not supported; sessions stay in cookies"),
        (["RBAC_FILE": "/rbac.yaml"], "rbac-file is set but enable-rbac is not"),
        (["AUTHZ_PASS_THROUGH": "/public/*"], "authz-pass-through is set but enable-rbac is not"),
        (
            ["AUTH_HOST": "auth.other.io", "COOKIE_DOMAIN": "example.com"],
            "auth-host auth.other.io is under none of the cookie domains"
        ),
    ])
    func warnings(environment: [String: String], expected: String) throws {
        let warnings = try Input.valid(environment: Input.environment(environment)).warnings
        #expect(warnings.contains { $0.contains(expected) }, "\(warnings)")
    }

    @Test func aCleanConfigurationHasNoWarnings() throws {
        #expect(try Input.valid().warnings.isEmpty)
    }

    @Test(arguments: ["true", "TRUE", "1", "yes", "Yes"])
    func booleansAcceptTheUsualSpellings(_ text: String) throws {
        #expect(
            try Input.valid(environment: Input.environment(["CASE_INSENSITIVE_SUBJECTS": text])).configuration
                .caseInsensitiveSubjects)
    }

    @Test(arguments: ["false", "False", "0", "no", "NO"])
    func booleansAcceptTheUsualFalseSpellings(_ text: String) throws {
        let c = try Input.valid(environment: Input.environment(["MATCH_WHITELIST_OR_DOMAIN": text])).configuration
        #expect(!c.matchWhitelistOrDomain)
    }
}
