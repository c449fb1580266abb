import Testing

@testable import ForwardAuth
@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC

/// The options of issue 5: claim headers, CORS preflight, the groups filter, RBAC's sources.
@Suite("Configuration: authorization options")
struct ConfigurationAuthorizationTests {
    typealias Input = ConfigurationInput

    @Test func claimHeadersParseFromFlagsAndEnvironment() throws {
        let loaded = try Input.valid(
            ["--claim-header", "X-Auth-Request-Preferred-Username=preferred_username"],
            environment: Input.environment(["CLAIM_HEADERS": "X-Auth-Request-Groups=groups"])
        ).configuration
        // Flags replace the environment's list, as for every list option.
        #expect(
            loaded.claimHeaders == [.init(header: "X-Auth-Request-Preferred-Username", claim: "preferred_username")])
        let fromEnvironment = try Input.valid(
            environment: Input.environment(["CLAIM_HEADERS": "X-Auth-Request-Groups=groups, X-Sub = sub"])
        ).configuration
        #expect(
            fromEnvironment.claimHeaders == [
                .init(header: "X-Auth-Request-Groups", claim: "groups"), .init(header: "X-Sub", claim: "sub"),
            ])
    }

    @Test(arguments: [
        ("X-Groups", "is not HEADER=claim"),
        ("X Groups=groups", "is not HEADER=claim"),
        ("X-Groups=", "is not HEADER=claim"),
        ("X-Forwarded-User=sub", "header X-Forwarded-User is given twice"),
        ("X-A=sub,x-a=email", "header x-a is given twice"),
    ])
    func badClaimHeadersAreProblems(value: String, expected: String) {
        let problems = Input.problems(environment: Input.environment(["CLAIM_HEADERS": value]))
        #expect(problems.contains { $0.contains("CLAIM_HEADERS") && $0.contains(expected) }, "\(problems)")
    }

    @Test func impersonationHeadersCannotBeClaimHeaders() {
        let problems = Input.problems(
            environment: Input.environment(["ENABLE_IMPERSONATION": "true", "CLAIM_HEADERS": "Impersonate-User=sub"]))
        #expect(problems.contains { $0.contains("Impersonate-User is sent by enable-impersonation") }, "\(problems)")
    }

    /// With impersonation or RBAC, an empty prefix would make a provider's `system:masters` a Kubernetes group.
    @Test(arguments: [["ENABLE_IMPERSONATION": "true"], ["ENABLE_RBAC": "true", "RBAC_FILE": "/rbac.yaml"]])
    func anEmptyGroupClaimPrefixIsRefusedWithKubernetesNames(settings: [String: String]) throws {
        for prefix in ["", " ", " \t"] {
            let problems = Input.problems(["--group-claim-prefix=\(prefix)"], environment: Input.environment(settings))
            #expect(problems.contains { $0.hasPrefix("group-claim-prefix: empty") }, "\(problems)")
        }
        // Without either, a prefix is not used and may be empty.
        _ = try Input.valid(["--group-claim-prefix="])
    }

    @Test func groupsFilterTakesAutoOrARegex() throws {
        #expect(try Input.valid().configuration.groupsFilter == nil)
        #expect(
            try Input.valid(environment: Input.environment(["GROUPS_FILTER": "AUTO"])).configuration.groupsFilter
                == "auto")
        #expect(
            try Input.valid(environment: Input.environment(["GROUPS_FILTER": "team-.*"])).configuration.groupsFilter
                == "team-.*")
    }

    @Test(arguments: ["(?=lookahead)", "(a)\\1", "[unclosed"])
    func groupsFilterThatRE2WouldRefuseStopsTheStart(pattern: String) {
        let problems = Input.problems(environment: Input.environment(["GROUPS_FILTER": pattern]))
        #expect(problems.contains { $0.contains("GROUPS_FILTER") && $0.contains("not a usable regular expression") })
    }

    @Test func skipAuthPreflightIsOffByDefault() throws {
        #expect(try Input.valid().configuration.skipAuthPreflight == false)
        #expect(
            try Input.valid(environment: Input.environment(["SKIP_AUTH_PREFLIGHT": "true"])).configuration
                .skipAuthPreflight)
    }

    /// RBAC narrows who passes: with no source for roles it must stop the start, never be ignored.
    @Test func rbacOutsideAPodNeedsAFile() {
        let problems = Input.problems(environment: Input.environment(["ENABLE_RBAC": "true"]))
        #expect(problems.contains { $0.contains("enable-rbac") && $0.contains("--rbac-file") }, "\(problems)")
    }

    @Test func rbacInAPodReadsTheAPIAndElsewhereAFile() throws {
        let inPod = try Input.valid(
            environment: Input.environment(["ENABLE_RBAC": "true", "KUBERNETES_SERVICE_HOST": "10.0.0.1"]))
        #expect(inPod.configuration.enableRBAC && inPod.configuration.rbacFile == nil)
        let withFile = try Input.valid(
            environment: Input.environment(["ENABLE_RBAC": "true", "RBAC_FILE": "/etc/forward-auth/rbac.yaml"]))
        #expect(withFile.configuration.rbacFile == "/etc/forward-auth/rbac.yaml")
    }
}
