import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

@Suite("Configuration: secrets never show")
struct ConfigurationSecretsTests {
    typealias Input = ConfigurationInput

    static let markers = [
        "Sig-Key-Marker-7f3a9c1e55d0", "Client-Secret-Marker-4b8e", "Enc-Key-Marker-19c2aa77e0",
        "Old-Key-Marker-0d6f31b2c4",
    ]

    /// Asserts no marker occurs in `text`.
    func expectClean(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for marker in Self.markers {
            #expect(!text.contains(marker), "\(what) shows a secret", sourceLocation: sourceLocation)
        }
    }

    @Test func aLoadedConfigurationPrintsNoSecret() throws {
        let environment = [
            "PROVIDER_URI": "https://dex.example.com/dex", "CLIENT_ID": "fa", "CLIENT_SECRET": Self.markers[1],
            // Both names of the client secret, differing: the warning names the variables only.
            "PROVIDERS_OIDC_CLIENT_SECRET": "Client-Secret-Marker-4b8e-other",
            "ENCRYPTION_KEY": Self.markers[2], "PREVIOUS_SECRETS": Self.markers[3],
        ]
        // Given twice, differing, and shorter than 32 bytes: two warnings that must not quote it.
        let (c, warnings) = try Input.valid(
            ["--secret=\(Self.markers[0])", "--secret", Self.markers[0] + "x"], environment: environment)
        #expect(warnings.count >= 3, "\(warnings)")
        expectClean(warnings.joined(separator: "\n"), "a warning")
        expectClean(String(describing: c), "description")
        expectClean(String(reflecting: c), "debugDescription")
        expectClean("\(c)", "interpolation")
        var dumped = ""
        dump(c, to: &dumped)
        expectClean(dumped, "dump")
        #expect(String(describing: c).contains("secret = <redacted>"))
        // The values are all there for deliberate use.
        #expect(c.clientSecret.revealString() == Self.markers[1])
        #expect(c.encryptionKey?.revealString() == Self.markers[2])
        #expect(c.previousSecrets == [Secret(Self.markers[3])])
    }

    @Test func problemsQuoteNoSecret() {
        let problems = Input.problems(
            [
                "--secret=Sig-Key-Ma",  // too short: a warning, not a problem
                "--secrt=\(Self.markers[0])",  // misspelt: the value must not be echoed
                "--encryption-key", "Enc-Key-Marker",  // too short: a warning, not a problem
                "--previous-secrets=\(Self.markers[3]),Old-Key-Mark",  // second entry too short
            ],
            environment: Input.environment(["CLIENT_SECRET": Self.markers[1], "CLIENT_SECRET_FILE": "/cs"]),
            files: ["/cs": Self.markers[1]])
        #expect(problems.count == 3, "\(problems)")
        let text = problems.joined(separator: "\n")
        expectClean(text, "a problem")
        for fragment in ["Sig-Key-Ma", "Enc-Key-Marker", "Old-Key-Mark"] {
            #expect(!text.contains(fragment))
        }
    }

    @Test func aSecretFlagTakesTheNextArgumentEvenIfItLooksLikeAFlag() throws {
        let c = try Input.valid(["--client-secret", "--Client-Secret-Marker-4b8e"]).configuration
        #expect(c.clientSecret.revealString() == "--Client-Secret-Marker-4b8e")
    }

    @Test func helpShowsNoSecretEvenWhenOneIsGiven() {
        guard case .help(let text) = Input.load(["--secret=\(Self.markers[0])", "--help"]) else {
            Issue.record("expected help")
            return
        }
        expectClean(text, "help")
        expectClean(Configuration.markdownOptionTable(), "the Markdown table")
    }

    @Test func secretRedactsEveryPrintedForm() {
        let secret = Secret(Self.markers[0])
        #expect(secret.description == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        #expect(!String(reflecting: secret).contains(Self.markers[0]))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains(Self.markers[0]))
        #expect(!String(describing: [secret]).contains(Self.markers[0]))
        #expect(!String(describing: Optional(secret)).contains(Self.markers[0]))
    }

    @Test func secretGivesItsBytesOnlyWhenAsked() {
        let secret = Secret("abc")
        #expect(secret.revealBytes() == Array("abc".utf8))
        #expect(secret.revealString() == "abc")
        #expect(secret.byteCount == 3)
        #expect(secret == Secret(bytes: Array("abc".utf8)))
        #expect(secret != Secret("abd"))
        #expect(secret != Secret("abcd"))
    }
}
