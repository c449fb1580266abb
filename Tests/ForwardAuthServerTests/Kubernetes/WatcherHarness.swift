import ForwardAuth
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// Runs `RBACWatcher` against `FakeKubernetesAPI` on loopback with short delays, for one test, and stops both
/// (watcher cancelled, open watches ended, server shut down, token directory removed) when the body returns.
struct WatcherHarness {
    let api: FakeKubernetesAPI
    let store: RBACPolicyStore
    let logs: LogLines
    let tokenPath: String
    /// The fake's `http://127.0.0.1:port`.
    let baseURL: String

    static let fastTiming: RBACWatcher.Timing = {
        var timing = RBACWatcher.Timing()
        timing.initialBackoff = .milliseconds(20)
        timing.maximumBackoff = .milliseconds(200)
        timing.relistDelay = .milliseconds(20)
        timing.timeouts.connect = .seconds(2)
        timing.timeouts.list = .seconds(5)
        return timing
    }()

    static func run(
        prepare: @Sendable (FakeKubernetesAPI) -> Void = { _ in },
        timing: RBACWatcher.Timing = fastTiming,
        _ body: @Sendable (WatcherHarness) async throws -> Void
    ) async throws {
        let api = FakeKubernetesAPI()
        prepare(api)
        try await api.application().test(.live) { client in
            let port = try #require(client.port)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let tokenPath = directory.path + "/token"
            try "token-1\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
            let logs = LogLines()
            let baseURL = "http://127.0.0.1:\(port)"
            let watcher = RBACWatcher(
                access: KubernetesAccess(baseURL: baseURL, tokenPath: tokenPath, caCertificatePath: nil),
                store: RBACPolicyStore(), logger: logs.logger(), timing: timing)
            let task = Task { try await watcher.run() }
            let harness = WatcherHarness(
                api: api, store: watcher.store, logs: logs, tokenPath: tokenPath, baseURL: baseURL)
            var failure: (any Error)?
            do { try await body(harness) } catch { failure = error }
            task.cancel()
            api.close()
            _ = await task.result
            if let failure { throw failure }
        }
    }

    func writeToken(_ token: String) throws {
        try token.write(toFile: tokenPath, atomically: true, encoding: .utf8)
    }

    func lists(of resource: FakeKubernetesAPI.Resource) -> Int {
        api.requests.count { $0.resource == resource.rawValue && !$0.isWatch }
    }

    func authorizer() -> RBACAuthorizer { RBACAuthorizer(store: store) }
}

/// Polls `condition` every 10 ms for up to `timeout`; records an issue if it never holds. The bound is generous
/// because the whole suite shares two cores with CPU-heavy tests (RSA keys); these conditions hold in well under
/// a second when the machine is idle.
func eventually(
    // Generous: in a full parallel run on 2 cores the watcher's task can wait long for a thread.
    _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Log lines captured through `LineLogHandler` (logfmt).
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    /// - Parameter metadataProvider: as the executable bootstraps it (`.traceID`), or none.
    func logger(level: Logger.Level = .debug, metadataProvider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: "forward-auth") { label in
            var handler = LineLogHandler(label: label, format: .text, level: level, sink: { self.append($0) })
            handler.metadataProvider = metadataProvider
            return handler
        }
    }
}

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("forward-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
