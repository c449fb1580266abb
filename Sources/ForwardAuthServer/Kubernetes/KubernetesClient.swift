import AsyncHTTPClient
import ForwardAuthConfiguration
import ForwardAuthOIDC
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The few Kubernetes API calls RBAC needs, over our own AsyncHTTPClient: paged lists and watches.
///
/// Every request reads the token file again (projected tokens rotate) and sends it as `Authorization: Bearer`.
/// Redirects are off; requests go direct or through the proxy `OutboundProxy` names for the URL; connecting is bounded by `connectTimeout`, a list by `listTimeout` (head and body), and a
/// watch by the server's `timeoutSeconds` and our idle `readTimeout` (bookmarks keep a quiet watch alive).
final class KubernetesClient: Sendable {
    struct Timeouts: Sendable {
        var connect: TimeAmount = .seconds(5)
        var list: Duration = .seconds(30)
        /// Longest silence on an open watch before it is dropped; above `watchSeconds`.
        var read: TimeAmount = .seconds(330)
        /// Asked of the server: it ends each watch after this long, and we list again.
        var watchSeconds = 300
        /// Largest list body accepted.
        var listBodyLimit = 64 << 20
    }

    let access: KubernetesAccess
    let timeouts: Timeouts
    private let clients: OutboundClients

    /// - Parameter proxy: the proxy settings (Go's client-go honours `HTTPS_PROXY` and `NO_PROXY` too).
    init(access: KubernetesAccess, timeouts: Timeouts, proxy: OutboundProxy = .direct) throws {
        self.clients = try OutboundClients(
            proxy: proxy, caCertificateFile: access.caCertificatePath, connect: timeouts.connect, read: timeouts.read)
        self.access = access
        self.timeouts = timeouts
    }

    func shutdown() async throws {
        try await clients.shutdown()
    }

    /// Lists every object at `path` (following `continue` tokens); returns them with the list's resource version.
    func list<Object: Decodable & Sendable>(
        _ path: String, resource: String, as type: Object.Type
    ) async throws -> (items: [Object], resourceVersion: String) {
        try await withDeadline(timeouts.list, resource: resource) {
            var items: [Object] = []
            var next: String?
            repeat {
                var query = "limit=500"
                if let next { query += "&continue=" + Self.escape(next) }
                let response = try await self.get(path + "?" + query, resource: resource, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: self.timeouts.listBodyLimit)
                let page: KubernetesWireFormat.List<Object>
                do {
                    page = try JSONDecoder().decode(
                        KubernetesWireFormat.List<Object>.self, from: Data(body.readableBytesView))
                } catch {
                    throw KubernetesError.decoding(resource, Self.describe(error))
                }
                items += page.items ?? []
                next = page.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
                if next == nil {
                    guard let version = page.metadata?.resourceVersion, !version.isEmpty else {
                        throw KubernetesError.decoding(resource, "list without metadata.resourceVersion")
                    }
                    return (items, version)
                }
            } while true
        }
    }

    /// Opens a watch from `resourceVersion`; the body streams newline-delimited JSON events.
    func watch(_ path: String, resource: String, from resourceVersion: String) async throws -> HTTPClientResponse.Body {
        let query =
            "watch=1&resourceVersion=\(Self.escape(resourceVersion))&allowWatchBookmarks=true"
            + "&timeoutSeconds=\(timeouts.watchSeconds)"
        return try await get(path + "?" + query, resource: resource, timeout: .seconds(30)).body
    }

    /// A GET that must answer 200; other statuses become `KubernetesError` with the API's message.
    private func get(_ pathAndQuery: String, resource: String, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: access.baseURL + pathAndQuery)
        request.headers.add(name: "Authorization", value: "Bearer " + (try access.readToken()))
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await clients.client(for: request.url).execute(request, timeout: timeout)
        guard response.status == .ok else {
            let status = Int(response.status.code)
            let body = try? await response.body.collect(upTo: 64 << 10)
            if status == 410 { throw KubernetesError.gone(resource) }
            let message = body.flatMap {
                try? JSONDecoder().decode(KubernetesWireFormat.Status.self, from: Data($0.readableBytesView))
            }?
            .message
            throw KubernetesError.status(status, resource, message: message)
        }
        return response
    }

    private func withDeadline<T: Sendable>(
        _ limit: Duration, resource: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw KubernetesError.timeout(resource)
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() else { throw CancellationError() }
            return result
        }
    }

    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, let context):
                return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) lacks \(key.stringValue)"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
            @unknown default:
                return "\(decoding)"
            }
        }
        return "\(error)"
    }
}
