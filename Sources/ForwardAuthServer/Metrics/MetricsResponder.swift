import ForwardAuth
import Hummingbird
import NIOCore
import Prometheus

/// The responder of the `metrics-address` listener: `/metrics` and nothing else (404).
///
/// This listener judges no request, so it cannot be used to get around a check; keep it off the network
/// the proxy forwards to.
struct MetricsResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let page: MetricsPage

    func respond(to request: Request, context: Context) async throws -> Response {
        guard Route.path(of: request.uri.string) == "/metrics" else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "not found; metrics are at /metrics\n")))
        }
        return await page.response()
    }
}
