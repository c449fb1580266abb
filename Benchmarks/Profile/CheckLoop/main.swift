import CheckPathFixtures
import ForwardAuth
import Foundation

// Runs the whole decision for a valid session cookie N times (default 100,000; first argument overrides), for
// `valgrind --tool=callgrind`: instruction counts per call site, stable on a busy machine. The fixture is the
// benchmarks' (`CheckPathFixture`), so the profile explains the benchmark's figures.
let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let gatekeeper: Gatekeeper
do {
    gatekeeper = try CheckPathFixture.gatekeeper()
} catch {
    print("check-loop: the fixture rule set does not compile: \(error)")
    exit(1)
}
let cookies = CheckPathFixture.cookies(gatekeeper.sessions)
let headers = CheckPathFixture.headers(cookieHeader: CheckPathFixture.cookieHeader(cookies))
let checkPath = CheckPath(gatekeeper: gatekeeper)
var allowed = 0
for _ in 0..<iterations {
    let decision = checkPath.decide(
        headers: headers, method: CheckPathFixture.requestMethod, target: CheckPathFixture.requestTarget,
        cookies: cookies, now: CheckPathFixture.now)
    if case .allow = decision { allowed += 1 }
}
print("check-loop: \(allowed) of \(iterations) allowed")
if allowed != iterations { exit(1) }
