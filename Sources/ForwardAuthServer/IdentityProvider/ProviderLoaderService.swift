import ForwardAuthOIDC
import Logging
import ServiceLifecycle

/// Loads the identity provider's discovery document and keys, retrying with capped exponential backoff, and
/// refreshes them periodically afterwards.
///
/// A service rather than a start-up step: a provider outage must not stop us from starting and passing
/// existing sessions, and must not make the pod crash-loop.
struct ProviderLoaderService: Service {
    let load: @Sendable () async throws -> Void
    let logger: Logger
    var initialDelay: Duration = .milliseconds(250)
    var maximumDelay: Duration = .seconds(30)
    /// Keys are refetched this often once loaded, so a rotation at the provider is seen without a restart
    /// even by instances that never meet an unknown `kid`.
    var refreshInterval: Duration = .seconds(600)

    func run() async throws {
        // Sleeping between attempts must not hold up a graceful shutdown.
        try? await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var delay = initialDelay
        var loaded = false
        while !Task.isCancelled {
            do {
                try await load()
                if !loaded { logger.info("identity provider loaded") }
                loaded = true
                delay = initialDelay
                try await Task.sleep(for: refreshInterval)
            } catch is CancellationError {
                return
            } catch {
                logger.warning(
                    "identity provider unavailable; retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
                delay = min(delay * 2, maximumDelay)
            }
        }
    }
}
