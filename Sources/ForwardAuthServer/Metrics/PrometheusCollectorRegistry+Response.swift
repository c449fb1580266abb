import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

extension PrometheusCollectorRegistry {
    /// `/metrics`: every family in the Prometheus text exposition format (version 0.0.4).
    func metricsResponse() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: emitToBuffer())))
    }
}
