import Benchmark
import CheckPathFixtures
import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

/// The check path, piece by piece and whole: wall time and mallocs per operation.
///
/// Every fast benchmark runs 1,000 operations per measured iteration (`scalingFactor: .kilo`), so the clock
/// reads around an iteration do not dominate; the reported figures are per operation. `BENCH_SMOKE=1` runs each
/// for a few iterations only: CI's check that they start and finish, not a measurement.
let benchmarks: @Sendable () -> Void = {
    let smoke = ProcessInfo.processInfo.environment["BENCH_SMOKE"] == "1"
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: smoke ? 1 : 20,
        scalingFactor: smoke ? .one : .kilo,
        maxDuration: smoke ? .milliseconds(50) : .seconds(3),
        maxIterations: smoke ? 3 : 2_000)

    // Fixtures fail only if the code under test changed its contract; say so instead of measuring nothing.
    let engine: DecisionEngine
    do {
        engine = try CheckPathFixture.engine()
    } catch {
        fatalError("the fixture rule set no longer compiles: \(error)")
    }
    let gatekeeper = engine.gatekeeper
    let cookies = CheckPathFixture.cookies(gatekeeper.sessions)
    let headers = CheckPathFixture.headers(cookieHeader: CheckPathFixture.cookieHeader(cookies))
    let method = CheckPathFixture.requestMethod
    let target = CheckPathFixture.requestTarget
    let now = CheckPathFixture.now
    guard let request = try? ForwardedRequest(headers: headers, method: method, uri: target) else {
        fatalError("the fixture headers no longer parse")
    }
    guard case .allow = engine.judge(method: method, target: target, headers: headers, now: now).decision else {
        fatalError("the fixture request is no longer allowed")
    }
    guard gatekeeper.rules.match(request)?.name == "app" else { fatalError("the fixture rule order changed") }

    Benchmark("ForwardedRequest.init (Traefik headers)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? ForwardedRequest(headers: headers, method: method, uri: target))
        }
    }

    let bytes = CheckPathFixture.requestBytes(headers)
    guard case .complete(let head, _) = bytes.withUnsafeBytes({ RequestHead.read($0) }),
        case .allow = engine.judge(method: method, target: target, headers: head, now: now).decision
    else { fatalError("the fixture request's bytes no longer read as an allowed check") }

    Benchmark("RequestHead.read (Traefik's subrequest bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(bytes.withUnsafeBytes { RequestHead.read($0) })
        }
    }

    // The cookie value repeats, so after the first iteration this is `OpenedSessions`' lookup, as for a
    // browser's every request after its first; a first open is `Sealer.open` (about 2.9 µs, docs/benchmarks.md).
    Benchmark("SessionCookies.session (valid cookie)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(gatekeeper.sessions.session(from: cookies, now: now))
        }
    }

    Benchmark("RuleSet.match (10 rules, last matches)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(gatekeeper.rules.match(request))
        }
    }

    Benchmark("DecisionEngine.judge whole decision (valid cookie)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(engine.judge(method: method, target: target, headers: headers, now: now))
        }
    }

    Benchmark("whole decision from the socket's bytes (valid cookie)") { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .complete(let head, _) = bytes.withUnsafeBytes({ RequestHead.read($0) }) else { continue }
            blackHole(engine.judge(method: method, target: target, headers: head, now: now))
        }
    }

    // An RSA verification takes tens of microseconds: one per iteration keeps the clock's share negligible.
    Benchmark(
        "OIDCClient.verifyCached (RS256 Bearer)",
        configuration: .init(scalingFactor: .one, maxIterations: smoke ? 3 : 20_000)
    ) { (benchmark: Benchmark, fixture: IDTokenFixture) async in
        for _ in benchmark.scaledIterations {
            blackHole(
                try? await fixture.client.verifyCached(
                    idToken: fixture.token, policy: fixture.policy, now: IDTokenFixture.now))
        }
    } setup: {
        let fixture = try await IDTokenFixture.make()
        _ = try await fixture.client.verifyCached(
            idToken: fixture.token, policy: fixture.policy, now: IDTokenFixture.now)
        return fixture
    }
}
