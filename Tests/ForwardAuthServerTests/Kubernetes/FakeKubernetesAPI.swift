import ForwardAuth
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

@testable import ForwardAuthOIDC

/// A Kubernetes API server for tests, on 127.0.0.1, speaking the list/watch wire format for
/// `/apis/rbac.authorization.k8s.io/v1/clusterroles` and `/clusterrolebindings`:
/// - lists: `{"kind":"…List","metadata":{"resourceVersion":…,"continue":…},"items":[…]}`, paged by `limit` and
///   `continue` (pages of at most `pageSize` objects);
/// - watches (`watch=1&resourceVersion=N`): one chunked response of newline-delimited events — a BOOKMARK first,
///   then every recorded event after N, then live ADDED/MODIFIED/DELETED events as the test makes changes —
///   until the test ends it cleanly (`endWatches`) or abruptly (`breakWatches`: the connection closes mid-stream);
/// - after `answerGone`, watches answer 410 Gone (as a compacted resource version would): as an HTTP status, or
///   as a 200 stream holding one ERROR event with a 410 Status;
/// - every request must carry `Authorization: Bearer <token>` (401 with a Status otherwise) and is recorded.
/// Not covered: real compaction (410 is injected, not computed from history age), field/label selectors,
/// `sendInitialEvents`, protobuf, HTTP/2, TLS, other resources, namespaced objects, watch `timeoutSeconds`
/// (accepted, not enforced), continue-token expiry, and the API server's own authorization.
final class FakeKubernetesAPI: Sendable {
    enum Resource: String, Sendable, CaseIterable {
        case clusterRoles = "clusterroles"
        case clusterRoleBindings = "clusterrolebindings"

        var kind: String { self == .clusterRoles ? "ClusterRole" : "ClusterRoleBinding" }
    }

    struct RecordedRequest: Sendable {
        var resource: String
        var isWatch: Bool
        var resourceVersion: String?
        var authorization: String?
    }

    private struct Event {
        var version: Int
        var resource: Resource
        var line: String
    }

    private struct State {
        var objects: [Resource: [String: String]] = [.clusterRoles: [:], .clusterRoleBindings: [:]]
        var version = 100
        var history: [Event] = []
        var goneWatches = 0
        var goneAsEvent = false
        var pageSize = 500
        var token = "token-1"
        var watchers: [Int: (Resource, AsyncStream<String>.Continuation)] = [:]
        var nextWatcher = 0
        var breakWatch = false
        /// After `close()`, watches end at once: the server can shut down even if a watch arrives late.
        var closed = false
        var requests: [RecordedRequest] = []
    }

    private let state = Mutex(State())

    init() {}

    // MARK: What tests change

    var requests: [RecordedRequest] { state.withLock { $0.requests } }
    func update(token: String) { state.withLock { $0.token = token } }
    func update(pageSize: Int) { state.withLock { $0.pageSize = pageSize } }

    func put(_ role: ClusterRole) { record(.clusterRoles, name: role.name, object: role, deleted: false) }
    func put(_ binding: ClusterRoleBinding) {
        record(.clusterRoleBindings, name: binding.name, object: binding, deleted: false)
    }
    func delete(_ binding: ClusterRoleBinding) {
        record(.clusterRoleBindings, name: binding.name, object: binding, deleted: true)
    }

    /// The next `count` watches answer 410 Gone, as if their resource version had been compacted away.
    func answerGone(times count: Int, asEvent: Bool) {
        state.withLock {
            $0.goneWatches = count
            $0.goneAsEvent = asEvent
        }
    }

    /// Ends every open watch with a clean end of stream.
    func endWatches() { finishWatches(abruptly: false) }
    /// Closes every open watch's connection without ending the chunked body.
    func breakWatches() { finishWatches(abruptly: true) }

    /// Sends a line that is not a watch event to the open watches of `resource`.
    func sendGarbage(to resource: Resource) {
        state.withLock { state in
            for (kind, continuation) in state.watchers.values where kind == resource {
                continuation.yield("{not json\n")
            }
        }
    }

    var openWatches: Int { state.withLock { $0.watchers.count } }

    /// Ends every open watch and every later one, so the server's graceful shutdown never waits on a watch.
    func close() {
        state.withLock { $0.closed = true }
        finishWatches(abruptly: false)
    }

    private func finishWatches(abruptly: Bool) {
        let continuations = state.withLock { state in
            state.breakWatch = abruptly && !state.closed
            defer { state.watchers.removeAll() }
            return state.watchers.values.map(\.1)
        }
        for continuation in continuations { continuation.finish() }
    }

    private func record(_ resource: Resource, name: String, object: some Encodable, deleted: Bool) {
        state.withLock { state in
            state.version += 1
            let json = Self.json(resource, object, version: state.version)
            let type: String
            if deleted {
                state.objects[resource]?[name] = nil
                type = "DELETED"
            } else {
                type = state.objects[resource]?[name] == nil ? "ADDED" : "MODIFIED"
                state.objects[resource]?[name] = json
            }
            let line = "{\"type\":\"\(type)\",\"object\":\(json)}\n"
            state.history.append(Event(version: state.version, resource: resource, line: line))
            for (kind, continuation) in state.watchers.values where kind == resource { continuation.yield(line) }
        }
    }

    /// The object as the API server writes it: kind, apiVersion, and metadata.resourceVersion set.
    private static func json(_ resource: Resource, _ object: some Encodable, version: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var text = String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
        text = text.replacingOccurrences(
            of: "\"metadata\":{", with: "\"metadata\":{\"resourceVersion\":\"\(version)\",")
        text = text.replacingOccurrences(of: ",\"resourceVersion\":null", with: "")
        return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"\(resource.kind)\"," + text.dropFirst()
    }

    // MARK: The server

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/apis/rbac.authorization.k8s.io/v1/:resource") { request, context in
            try self.respond(request, resource: context.parameters.require("resource"))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private func respond(_ request: Request, resource name: String) throws -> Response {
        let query = request.uri.queryParameters
        let authorization = request.headers[.authorization]
        let isWatch = query["watch"] == "1" || query["watch"] == "true"
        let recorded = RecordedRequest(
            resource: name, isWatch: isWatch, resourceVersion: query["resourceVersion"].map(String.init),
            authorization: authorization)
        let token = state.withLock {
            $0.requests.append(recorded)
            return $0.token
        }
        guard authorization == "Bearer \(token)" else {
            return Self.status(401, reason: "Unauthorized", message: "Unauthorized")
        }
        guard let resource = Resource(rawValue: name) else {
            return Self.status(404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        if isWatch {
            return watch(resource, from: query["resourceVersion"].flatMap { Int($0) } ?? 0)
        }
        return list(resource, limit: query["limit"].flatMap { Int($0) }, from: query["continue"].flatMap { Int($0) })
    }

    private func list(_ resource: Resource, limit: Int?, from offset: Int?) -> Response {
        let (items, version, next) = state.withLock { state in
            let all = (state.objects[resource] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
            let start = min(offset ?? 0, all.count)
            let size = min(limit ?? Int.max, state.pageSize)
            let end = min(all.count, start + size)
            return (Array(all[start..<end]), state.version, end < all.count ? "\(end)" : "")
        }
        let body =
            "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"\(resource.kind)List\",\"metadata\":"
            + "{\"resourceVersion\":\"\(version)\",\"continue\":\"\(next)\"},\"items\":[\(items.joined(separator: ","))]}"
        return Self.json(body)
    }

    private func watch(_ resource: Resource, from version: Int) -> Response {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let opened: (backlog: [String], gone: Bool, asEvent: Bool, current: Int) = state.withLock { state in
            if state.goneWatches > 0 {
                state.goneWatches -= 1
                return ([], true, state.goneAsEvent, state.version)
            }
            let backlog = state.history.filter { $0.resource == resource && $0.version > version }.map(\.line)
            if state.closed {
                continuation.finish()
                return (backlog, false, false, state.version)
            }
            state.watchers[state.nextWatcher] = (resource, continuation)
            state.nextWatcher += 1
            return (backlog, false, false, state.version)
        }
        if opened.gone {
            let message = "too old resource version: \(version) (\(opened.current))"
            guard opened.asEvent else { return Self.status(410, reason: "Expired", message: message) }
            let event =
                "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                + "\"status\":\"Failure\",\"message\":\"\(message)\",\"reason\":\"Expired\",\"code\":410}}\n"
            return Self.json(event)
        }
        let bookmark =
            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"\(resource.kind)\",\"apiVersion\":"
            + "\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\"\(opened.current)\"}}}\n"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: bookmark))
            for line in opened.backlog { try await writer.write(ByteBuffer(string: line)) }
            for await line in stream { try await writer.write(ByteBuffer(string: line)) }
            if self.state.withLock({ $0.breakWatch }) { throw FakeKubernetesAPIError.dropped }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func status(_ code: Int, reason: String, message: String) -> Response {
        json(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"\(message)\","
                + "\"reason\":\"\(reason)\",\"code\":\(code)}",
            status: HTTPResponse.Status(code: code))
    }
}

struct FakeKubernetesAPIError: Error {
    static let dropped = FakeKubernetesAPIError()
}
