import ForwardAuthWire
import Logging

extension Logger.MetadataProvider {
    /// `trace_id` on every line logged while a request with W3C trace context is answered (`TraceContext.current`,
    /// bound by `Endpoints`): the validated id only, never the raw header.
    package static let traceID = Logger.MetadataProvider {
        guard let trace = TraceContext.current else { return [:] }
        return ["trace_id": .string(trace.traceID)]
    }
}
