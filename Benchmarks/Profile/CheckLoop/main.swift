import CheckPathFixtures
import ForwardAuth
import Foundation

// Runs one piece of the check path N times, for valgrind (`scripts/bench-micro --callgrind`, and the instruction
// and allocation thresholds `scripts/bench-guard` enforces): counts per operation, the same on a busy machine.
// The fixture is the benchmarks' (`CheckPathFixture`), so the profile explains the benchmark's figures.
//
//   CheckLoop [N] [scenario]     N defaults to 100,000; scenario to `decision`
//
// Scenarios:
//   decision        the whole decision for a valid session cookie (`CheckPath.decide`)
//   head            `RequestHead.read` of Traefik's subrequest bytes
//   session-open    `SessionCookies.session` for a valid cookie (its cache hit, as every request after the first)
//   bytes-decision  the head read from the bytes, then the whole decision on it: what the fast lane does
let arguments = CommandLine.arguments.dropFirst()
let iterations = arguments.first.flatMap(Int.init) ?? 100_000
let scenario = arguments.dropFirst().first ?? "decision"

let gatekeeper: Gatekeeper
do {
    gatekeeper = try CheckPathFixture.gatekeeper()
} catch {
    print("check-loop: the fixture rule set does not compile: \(error)")
    exit(1)
}
let cookies = CheckPathFixture.cookies(gatekeeper.sessions)
let headers = CheckPathFixture.headers(cookieHeader: CheckPathFixture.cookieHeader(cookies))
let bytes = CheckPathFixture.requestBytes(headers)
let checkPath = CheckPath(gatekeeper: gatekeeper)
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
        guard
            case .allow = checkPath.decide(headers: headers, method: method, target: target, cookies: cookies, now: now)
        else { return false }
        return true
    }
case "head":
    loop {
        guard case .complete = bytes.withUnsafeBytes({ RequestHead.read($0) }) else { return false }
        return true
    }
case "session-open":
    loop {
        guard case .valid = gatekeeper.sessions.session(from: cookies, now: now) else { return false }
        return true
    }
case "bytes-decision":
    loop {
        guard case .complete(let head, _) = bytes.withUnsafeBytes({ RequestHead.read($0) }),
            case .allow = checkPath.decide(headers: head, method: method, target: target, cookies: cookies, now: now)
        else { return false }
        return true
    }
default:
    print("check-loop: unknown scenario \(scenario) (decision, head, session-open, bytes-decision)")
    exit(2)
}
