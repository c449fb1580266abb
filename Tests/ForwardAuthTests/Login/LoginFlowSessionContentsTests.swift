import Logging
import Testing

@testable import ForwardAuth
@testable import ForwardAuthOIDC
@testable import ForwardAuthWire

/// What a login keeps in the session: filtered groups, mapped claims, the token to forward; and the same
/// principal for a Bearer client.
@Suite("Login flow: session contents")
struct LoginFlowSessionContentsTests {
    let random = CountingRandom()
    let logger = Logger(label: "test")
    static let identity = Identity(
        email: "alice@example.com", displayName: "Alice", groups: ["devs", "all-staff", "admins"],
        claims: ["preferred_username": .string("alice"), "sub": .string("CgVhbGljZQ")])

    func flow(identityHeaders: IdentityHeaders, groupsFilter: GroupsFilter = .keepAll) throws -> LoginFlow {
        LoginFlow(
            gatekeeper: try Fixtures.gatekeeper(identityHeaders: identityHeaders),
            loginStates: LoginStateCookies(
                settings: Fixtures.cookieSettings(), keys: CookieKeys(secret: Fixtures.secret)),
            provider: FakeProvider(identity: Self.identity), logoutRedirect: nil, groupsFilter: groupsFilter)
    }

    /// Runs a whole login and opens the session it set.
    func login(_ flow: LoginFlow) async throws -> Session {
        let request = try Fixtures.request()
        guard
            case .login(let plan) = flow.gatekeeper.check(
                request, cookies: CookieList([]), client: .browser, now: Fixtures.now),
            case .redirect(let location, _, let stateCookies) = flow.start(
                plan, cookies: CookieList([]), now: Fixtures.now, random: random, logger: logger)
        else { throw TestFailure("login did not start") }
        let state = try #require(
            location.split(separator: "&").first { $0.hasPrefix("state=") || $0.contains("?state=") }?
                .split(separator: "=").last)
        let browser = Fixtures.jar(stateCookies)
        guard
            case .redirect(_, _, let setCookies) = await flow.complete(
                try Fixtures.request(uri: "/_oauth?code=c&state=\(state)"), cookies: browser, now: Fixtures.now,
                random: random, logger: logger),
            case .valid(let session) = flow.gatekeeper.sessions.session(
                from: Fixtures.jar(setCookies, keeping: browser), now: Fixtures.now)
        else { throw TestFailure("login did not complete") }
        return session
    }

    @Test func theSessionKeepsMappedClaimsFilteredGroupsAndTheTokenToForward() async throws {
        let flow = try flow(
            identityHeaders: IdentityHeaders(
                claimHeaders: [
                    .init(header: "X-User", claim: "preferred_username"), .init(header: "X-Groups", claim: "groups"),
                ],
                tokenForwarding: .init(header: "X-Id-Token", prefix: "")),
            groupsFilter: .used(by: ["admins", "devs"], rbac: nil))
        let session = try await login(flow)
        #expect(session.groups == ["devs", "admins"])
        #expect(session.claims == [NamedClaim(name: "preferred_username", values: ["alice"])])
        #expect(session.idToken == "id-token")
    }

    @Test func withoutForwardingOrMappingsTheSessionStaysLean() async throws {
        let session = try await login(try flow(identityHeaders: IdentityHeaders()))
        #expect(session.groups == ["devs", "all-staff", "admins"])
        #expect(session.claims.isEmpty)
        #expect(session.idToken == nil)
    }

    @Test func aBearerClientGetsTheSameHeadersWithItsOwnTokenForwarded() async throws {
        let flow = try flow(
            identityHeaders: IdentityHeaders(
                claimHeaders: [.init(header: "X-User", claim: "preferred_username")],
                tokenForwarding: .init(header: "X-Id-Token", prefix: "Bearer ")))
        let engine = DecisionEngine(loginFlow: flow, random: random, logger: logger)
        let judged = engine.judge(
            method: "GET", target: "/",
            headers: Fixtures.headers(extra: [(name: "Authorization", value: "Bearer the-bearer-token")]),
            now: Fixtures.now)
        guard case .pending(.verifyBearer(let token, _)) = judged.next else {
            Issue.record("expected the token to be verified, got \(judged.next)")
            return
        }
        #expect(token == "the-bearer-token")
        let decision = await engine.resume(judged).decision
        guard case .allow(let headers) = decision else {
            Issue.record("expected allow, got \(decision)")
            return
        }
        #expect(
            headers.map { "\($0.name): \($0.value)" } == [
                "X-Forwarded-User: alice@example.com", "X-User: alice", "X-Id-Token: Bearer the-bearer-token",
            ])
    }
}
