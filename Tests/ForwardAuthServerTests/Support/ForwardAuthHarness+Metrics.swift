import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization

/// The port the `metrics-address` listener got, set from `buildApplication`'s `onMetricsServerRunning`.
final class MetricsPort: Sendable {
    private let port = Mutex(0)

    func set(_ value: Int) { port.withLock { $0 = value } }

    /// Waits until the listener is up (at most 5 s).
    func wait() async throws -> Int {
        for _ in 0..<100 {
            let value = port.withLock { $0 }
            if value != 0 { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("the metrics listener never started")
    }
}

extension ForwardAuthHarness {
    /// `/metrics` on the main port, as Prometheus scrapes a pod (no `X-Forwarded-Host`); throws unless 200.
    func scrape() async throws -> PrometheusSamples {
        let response = try await client.execute(uri: "/metrics", method: .get)
        guard response.status == .ok else { throw HarnessError("/metrics answered \(response.status)") }
        return PrometheusSamples(String(buffer: response.body))
    }

    /// Scrapes until `condition` holds (at most 5 s): for what background services record.
    func scrape(until condition: (PrometheusSamples) -> Bool) async throws -> PrometheusSamples {
        for _ in 0..<100 {
            let samples = try await scrape()
            if condition(samples) { return samples }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await scrape()
    }

    /// A GET on the `metrics-address` listener: status and body.
    func getFromMetricsListener(_ path: String) async throws -> (status: UInt, body: String) {
        let port = try await metricsPort.wait()
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }
}
