import CheckPathFixtures
import ForwardAuth
import ForwardAuthWire
import Foundation

// Runs one piece of the check path N times, for valgrind (`scripts/bench-micro --callgrind`, and the instruction
// and allocation thresholds `scripts/bench-guard` enforces): counts per operation, the same on a busy machine.
// The fixture is the benchmarks' (`CheckPathFixture`), so the profile explains the benchmark's figures.
//
//   CheckLoop [N] [scenario]     N defaults to 100,000; scenario to `decision`
//
// Scenarios:
//   decision        the whole decision for a valid session cookie (`DecisionEngine.judge`, from the headers)
//   head            `RequestHead.read` of Traefik's subrequest bytes
//   session-open    `SessionCookies.session` for a valid cookie (its cache hit, as every request after the first)
//   bytes-decision  the head read from the bytes, then the whole decision on it: what the fast lane does
let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap(Int.init) ?? 100_000
let scenario = arguments.dropFirst().first ?? "decision"

let engine: DecisionEngine
do {
    engine = try CheckPathFixture.engine()
} catch {
    print("check-loop: the fixture rule set does not compile: \(error)")
    exit(1)
}
// Read once: the engine's parts are values, and copying them out in the loop would be measured too.
let sessions = engine.gatekeeper.sessions
let cookies = CheckPathFixture.cookies(sessions)
let headers = CheckPathFixture.headers(cookieHeader: CheckPathFixture.cookieHeader(cookies))
let bytes = CheckPathFixture.requestBytes(headers)
let (method, target, now) = (CheckPathFixture.requestMethod, CheckPathFixture.requestTarget, CheckPathFixture.now)

/// Runs `operation` N times; it says whether it gave the expected result, and every run must.
func loop(_ operation: () -> Bool) {
    var expected = 0
    for _ in 0..<iterations where operation() { expected += 1 }
    print("check-loop: \(scenario): \(expected) of \(iterations) as expected")
    if expected != iterations { exit(1) }
}

switch scenario {
case "decision":
    loop {
        guard case .allow = engine.judge(method: method, target: target, headers: headers, now: now).decision else {
            return false
        }
        return true
    }
case "head":
    loop {
        guard case .complete = bytes.withUnsafeBytes({ RequestHead.read($0) }) else { return false }
        return true
    }
case "session-open":
    loop {
        guard case .valid = sessions.session(from: cookies, now: now) else { return false }
        return true
    }
case "bytes-decision":
    loop {
        guard case .complete(let head, _) = bytes.withUnsafeBytes({ RequestHead.read($0) }),
            case .allow = engine.judge(method: method, target: target, headers: head, now: now).decision
        else { return false }
        return true
    }
default:
    print("check-loop: unknown scenario \(scenario) (decision, head, session-open, bytes-decision)")
    exit(2)
}
