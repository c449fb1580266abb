import ForwardAuth
import ForwardAuthOIDC
import Foundation
import Logging
import ServiceLifecycle

/// Keeps `ServiceAccountToken` equal to the token file's content (`service-account-token-path`).
///
/// Kubernetes projected service-account tokens rotate (the kubelet rewrites the file well before expiry, by
/// swapping a symlink), so the file is read at start and then whenever its modification time, size or inode
/// changes, checked every `interval`. A file that vanishes or turns empty keeps the last good token: the kubelet
/// replaces it atomically, so that is a transient state, and the old token stays valid until it expires.
struct ServiceAccountTokenReader: Service {
    let path: String
    let token: ServiceAccountToken
    let logger: Logger
    var interval: Duration = .seconds(5)

    /// Tokens are about 1 KB; anything far larger is not a token.
    static let maximumBytes = 64 * 1024

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await self.loop() }
    }

    private func loop() async {
        var seen: FileSignature?
        var reportedFailure = false
        while !Task.isCancelled {
            let signature = FileSignature(path: path)
            if signature != seen || signature == nil {
                switch Self.read(path) {
                case .success(let value):
                    if value != token.current {
                        token.update(value)
                        logger.info("service-account token loaded", metadata: ["path": "\(path)"])
                    }
                    seen = signature
                    reportedFailure = false
                case .failure(let reason):
                    if !reportedFailure {
                        logger.warning(
                            "service-account token unreadable; keeping the last one",
                            metadata: ["path": "\(path)", "reason": "\(reason)"])
                        reportedFailure = true
                    }
                }
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    struct ReadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The token in the file, without surrounding whitespace.
    static func read(_ path: String) -> Result<String, ReadFailure> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ReadFailure(description: "cannot open the file"))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            return .failure(ReadFailure(description: "cannot read the file: \(error)"))
        }
        guard data.count <= maximumBytes else {
            return .failure(ReadFailure(description: "larger than \(maximumBytes) bytes"))
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(ReadFailure(description: "empty, or not a token (spaces or control characters inside)"))
        }
        return .success(text)
    }
}
