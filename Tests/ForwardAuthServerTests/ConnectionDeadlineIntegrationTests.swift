import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthServer

/// `idle-timeout` and `read-header-timeout` on the real server, over raw sockets: silent, slow and idle
/// connections are closed on every lane, and a request awaiting its answer is not (issue 15).
@Suite struct ConnectionDeadlineIntegrationTests {
    static let check =
        "GET / HTTP/1.1\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
        + "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /page\r\nAccept: application/json\r\n\r\n"

    static func withServer(
        idle: Int = 2, readHeader: Int = 1,
        _ body: @Sendable @escaping (_ harness: ForwardAuthHarness, _ port: Int) async throws -> Void
    ) async throws {
        try await ForwardAuthHarness.run(configure: {
            $0.idleTimeout = idle
            $0.readHeaderTimeout = readHeader
        }) { harness in
            try await body(harness, try requireValue(harness.client.port, "port"))
        }
    }

    /// `/metrics` on a connection of its own: the test client's connection was silent for longer than the timeouts.
    static func scrape(port: Int) async throws -> PrometheusSamples {
        let response = try await RawHTTP.exchange(port: port, ["GET /metrics HTTP/1.1\r\nHost: forward-auth\r\n\r\n"])
        return PrometheusSamples(try requireValue(response.first, "/metrics answer").body)
    }

    @Test func aSilentConnectionIsClosedAfterTheHeaderTimeout() async throws {
        try await Self.withServer { _, port in
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(5)) { _ in }
            let closed = try #require(outcome.closedAfter, "still open after 5 s")
            #expect(closed >= .milliseconds(900) && closed < .seconds(3), "closed after \(closed)")
            let samples = try await Self.scrape(port: port)
            // At least ours: the test client's own connection, silent too, may have been closed as well.
            #expect((samples.value(ForwardAuthMetrics.connectionsTimedOutName, ["reason": "read_header"]) ?? 0) >= 1)
        }
    }

    /// Slowloris: one header line every 200 ms never finishes the head. The fast lane reads this head; after a
    /// request with a body (which makes everything go to NIO's decoder) the decoder does: both are cut off.
    @Test(arguments: [false, true])
    func aHeadThatTricklesInIsCutOff(afterABody: Bool) async throws {
        try await Self.withServer(idle: 30, readHeader: 1) { _, port in
            let started = ContinuousClock.now
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(6)) { write in
                if afterABody {
                    try await write(
                        "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
                }
                try await write("GET / HTTP/1.1\r\nHost: forward-auth\r\n")
                for index in 0..<25 {
                    try await Task.sleep(for: .milliseconds(200))
                    try await write("X-Slow-\(index): x\r\n")
                }
            }
            let closed = try #require(outcome.closedAfter, "a trickling head kept the connection for 6 s")
            #expect(closed < .seconds(3), "closed after \(closed) (started \(started))")
            #expect(outcome.responses.count == (afterABody ? 1 : 0))
        }
    }

    /// Each write ends one request and starts the next, 2.5 s apart (the attacker review's F2): every head takes
    /// longer than the header timeout, so the first partial one is cut, in the fast lane and after a body sent
    /// everything to NIO's decoder alike. (Before, NIO's decoder let such a connection live up to the idle timeout.)
    @Test(arguments: [false, true])
    func aPartialHeadBehindAWholeRequestIsTimed(afterABody: Bool) async throws {
        try await Self.withServer(idle: 30, readHeader: 1) { _, port in
            let partial = "GET / HTTP/1.1\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\n"
            let rest =
                "X-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /page\r\n"
                + "Accept: application/json\r\n\r\n"
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(9)) { write in
                if afterABody {
                    try await write("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await write(Self.check + partial)
                for _ in 0..<3 {
                    try await Task.sleep(for: .milliseconds(2500))
                    try await write(rest + partial)
                }
            }
            let closed = try #require(outcome.closedAfter, "heads taking 2.5 s each kept the connection for 9 s")
            #expect(closed < .milliseconds(2400), "closed after \(closed)")
            #expect(outcome.responses.map(\.status).last == 401)
            #expect(outcome.responses.count == (afterABody ? 2 : 1))
        }
    }

    /// `CONNECT` and `Upgrade` make NIO's decoder stop parsing and keep every later byte: such a request is answered
    /// and the connection closed, however fast the client goes on sending (the attacker review's F1: gigabytes of
    /// memory before).
    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: forward-auth\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n",
        "CONNECT app.example.com:443 HTTP/1.1\r\nHost: app.example.com:443\r\n",
    ])
    func aProtocolSwitchIsAnsweredThenClosed(head: String) async throws {
        try await Self.withServer(idle: 30, readHeader: 30) { _, port in
            let block = String(repeating: "A", count: 65_536)
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(5)) { write in
                try await write(
                    head
                        + "X-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: app.example.com\r\n"
                        + "X-Forwarded-Uri: /x\r\nAccept: application/json\r\n\r\n")
                for _ in 0..<2_000 { try await write(block) }
            }
            let closed = try #require(outcome.closedAfter, "still open after 5 s")
            #expect(closed < .seconds(2), "closed after \(closed)")
            #expect(outcome.responses.count == 1)
            #expect(outcome.responses.first.map { (400...499).contains($0.status) } == true)
        }
    }

    /// Between requests the idle timeout runs, not the header timeout; a request renews it.
    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await Self.withServer(idle: 2, readHeader: 1) { _, port in
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(8)) { write in
                try await write(Self.check)
                try await Task.sleep(for: .milliseconds(1500))
                try await write(Self.check)
            }
            #expect(outcome.responses.map(\.status) == [401, 401])
            let closed = try #require(outcome.closedAfter, "still open after 8 s")
            // The second request at 1.5 s; closed 2 s after it.
            #expect(closed >= .milliseconds(3300) && closed < .seconds(5), "closed after \(closed)")
            let samples = try await Self.scrape(port: port)
            #expect(samples.value(ForwardAuthMetrics.connectionsTimedOutName, ["reason": "idle"]) == 1)
        }
    }

    /// The callback waits for the provider's token endpoint for longer than both timeouts: it still gets its answer.
    @Test func aCallbackAwaitingTheProviderIsNotCutOff() async throws {
        try await Self.withServer(idle: 1, readHeader: 1) { harness, port in
            try await harness.waitUntilProviderReady()
            let start = try await harness.check(uri: "/page")
            let location = try requireValue(start.headers[.location], "Location")
            let cookies = ForwardAuthHarness.cookies(from: start).map { "\($0.key)=\($0.value)" }
            let back = try await harness.authorize(location)
            harness.provider.update { $0.tokenDelay = .milliseconds(2500) }
            let callback =
                "GET / HTTP/1.1\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: \(back.path)?\(back.percentEncodedQuery ?? "")\r\n"
                + "Accept: text/html\r\nCookie: \(cookies.joined(separator: "; "))\r\n\r\n"
            let outcome = try await RawConnection.run(port: port, waitingAtMost: .seconds(8)) { write in
                try await write(callback)
            }
            #expect(outcome.responses.map(\.status) == [302])
            #expect(outcome.responses.first?.values("Set-Cookie").isEmpty == false)
        }
    }
}
