import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC

/// `sso-broker-callbacks`, `sso-broker-url` and `sso-broker-audience`: read, put in the form they are compared in,
/// and refused where an ID token could leak.
@Suite("Configuration: SSO broker")
struct ConfigurationBrokerTests {
    typealias Input = ConfigurationInput

    @Test func theOptionsAreReadFromTheEnvironmentAndFlagsInCanonicalForm() throws {
        let (configuration, warnings) = try Input.valid(
            ["--sso-broker-audience", "kommander"],
            environment: Input.environment([
                "SSO_BROKER_CALLBACKS":
                    "https://Auth.Attached-1.example/_oauth/sso/callback,https://auth.attached-2.example:8443/_oauth/sso/callback",
                "SSO_BROKER_URL": "HTTPS://auth.UI.example/_oauth/sso", "AUTH_HOST": "auth.attached-1.example",
            ]))
        #expect(
            configuration.ssoBrokerCallbacks == [
                "https://auth.attached-1.example/_oauth/sso/callback",
                "https://auth.attached-2.example:8443/_oauth/sso/callback",
            ])
        #expect(configuration.ssoBrokerURL == "https://auth.ui.example/_oauth/sso")
        #expect(configuration.ssoBrokerAudience == "kommander")
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test func everyBadURLIsListedAtOnce() {
        let problems = Input.problems(
            environment: Input.environment([
                "SSO_BROKER_CALLBACKS":
                    "https://a.example/_oauth/sso/callback?x=1,https://user@b.example/_oauth/sso/callback,c.example/cb,http://d.example/_oauth/sso/callback",
                "SSO_BROKER_URL": "https://ui.example/_oauth/sso#f",
            ]))
        #expect(problems.contains { $0.contains("\"https://a.example/_oauth/sso/callback?x=1\" is not an absolute") })
        #expect(problems.contains { $0.contains("\"https://user@b.example/_oauth/sso/callback\" is not an absolute") })
        #expect(problems.contains { $0.contains("\"c.example/cb\" is not an absolute") })
        #expect(
            problems.contains { $0.contains("sso-broker-callbacks: http://d.example/_oauth/sso/callback is not https") }
        )
        #expect(problems.contains { $0.contains("SSO_BROKER_URL: \"https://ui.example/_oauth/sso#f\"") })
    }

    @Test func plainHTTPIsAllowedOnlyWithInsecureCookie() throws {
        let environment = Input.environment([
            "SSO_BROKER_URL": "http://auth.ui.localhost:8080/_oauth/sso",
            "SSO_BROKER_CALLBACKS": "http://app.attached.localhost:8080/_oauth/sso/callback",
            "AUTH_HOST": "app.attached.localhost:8080",
        ])
        let problems = Input.problems(environment: environment)
        #expect(
            problems.contains { $0.hasPrefix("sso-broker-url: http://auth.ui.localhost:8080/_oauth/sso is not https") })
        #expect(problems.contains { $0.hasPrefix("sso-broker-callbacks: http://app.attached.localhost:8080") })
        let (configuration, _) = try Input.valid(environment: environment.merging(["INSECURE_COOKIE": "true"]) { $1 })
        #expect(configuration.ssoBrokerURL == "http://auth.ui.localhost:8080/_oauth/sso")
    }

    @Test func anAttachedInstanceNeedsAnAuthHost() {
        let problems = Input.problems(
            environment: Input.environment(["SSO_BROKER_URL": "https://auth.ui.example/_oauth/sso"]))
        #expect(problems.contains { $0.hasPrefix("sso-broker-url needs auth-host") })
    }

    @Test func anAudienceWithoutABrokerAndACallbackOffThePathAreWarnings() throws {
        let (_, warnings) = try Input.valid(
            environment: Input.environment([
                "SSO_BROKER_AUDIENCE": "kommander",
                "SSO_BROKER_CALLBACKS": "https://auth.attached.example/callback",
            ]))
        #expect(warnings.contains("sso-broker-audience is set but sso-broker-url is not: it has no effect"))
        #expect(
            warnings.contains { $0.contains("https://auth.attached.example/callback does not end in /sso/callback") })
    }
}

@Suite("Configuration: silent refresh")
struct ConfigurationRefreshTests {
    typealias Input = ConfigurationInput

    @Test func refreshAsksForOfflineAccessAndSetsItsTimes() throws {
        let (configuration, _) = try Input.valid(
            environment: Input.environment([
                "REFRESH_SESSIONS": "true", "REFRESH_INTERVAL": "300", "REFRESH_MAX_AGE": "86400",
                "SSO_BROKER_MAX_AGE": "120",
            ]))
        #expect(OIDCClientSettings(configuration).scopes.last == "offline_access")
        let settings = try #require(Gatekeeper(configuration).settings.refresh)
        #expect(settings.interval == 300 && settings.maximumAge == 86400 && settings.brokerMaximumAge == 120)
        let (off, _) = try Input.valid()
        #expect(Gatekeeper(off).settings.refresh == nil)
        #expect(!OIDCClientSettings(off).scopes.contains("offline_access"))
    }

    @Test func tooShortTimesAreProblemsAndAnIntervalPastTheLifetimeAWarning() throws {
        let problems = Input.problems(
            environment: Input.environment([
                "REFRESH_INTERVAL": "5", "REFRESH_MAX_AGE": "10", "SSO_BROKER_MAX_AGE": "1",
            ]))
        #expect(problems.contains { $0.contains("REFRESH_INTERVAL") })
        #expect(problems.contains { $0.contains("REFRESH_MAX_AGE") })
        #expect(problems.contains { $0.contains("SSO_BROKER_MAX_AGE") })
        let (_, warnings) = try Input.valid(
            environment: Input.environment(["REFRESH_SESSIONS": "1", "REFRESH_INTERVAL": "50000"]))
        #expect(warnings.contains { $0.hasPrefix("refresh-interval (50000s) is not shorter than lifetime") })
    }
}
