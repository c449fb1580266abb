import ForwardAuth
import ForwardAuthWire
import HTTPTypes
import Logging
import HummingbirdTesting
import Synchronization
import Testing

@testable import ForwardAuthServer

/// A trace Traefik started is continued into the provider calls a callback makes, named on the request's log
/// lines, and linked from the login's start to its callback.
@Suite("Trace context end to end (in-process)")
struct TraceContextIntegrationTests {
    static let startTrace = "0af7651916cd43dd8448eb211c80319c"
    static let callbackTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callbackParent = "00f067aa0ba902b7"

    static func headers(_ traceparent: String, state: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [HTTPField.Name("traceparent")!: traceparent]
        if let state { fields[HTTPField.Name("tracestate")!] = state }
        return fields
    }

    @Test func theCallbacksTokenExchangeContinuesItsTraceAndLinksTheStart() async throws {
        let lines = LogLines()
        try await ForwardAuthHarness.run(logger: lines.logger(level: .info, metadataProvider: .traceID)) { harness in
            try await harness.waitUntilProviderReady()
            let (_, callback) = try await harness.login(
                startHeaders: Self.headers("00-\(Self.startTrace)-b7ad6b7169203331-01"),
                callbackHeaders: Self.headers(
                    "00-\(Self.callbackTrace)-\(Self.callbackParent)-01", state: "rojo=00f067aa0ba902b7"))
            #expect(callback.status == .found)

            let sent = try #require(harness.provider.state.withLock { $0.tokenTraceHeaders }.last)
            let traceparent = try #require(sent.traceparent)
            let parts = traceparent.split(separator: "-").map(String.init)
            #expect(parts.count == 4 && parts[0] == "00" && parts[1] == Self.callbackTrace && parts[3] == "01")
            #expect(parts[2].utf8.count == 16 && parts[2] != Self.callbackParent, "a child span of the callback's")
            #expect(sent.tracestate == "rojo=00f067aa0ba902b7")

            let login = try #require(lines.all.first { $0.contains("msg=login ") })
            #expect(login.contains("trace_id=\(Self.callbackTrace)"), "\(login)")
            #expect(login.contains("login_trace_id=\(Self.startTrace)"), "\(login)")
        }
    }

    @Test func noOrAMalformedTraceparentSendsNoneAndLogsNone() async throws {
        let lines = LogLines()
        try await ForwardAuthHarness.run(logger: lines.logger(level: .info, metadataProvider: .traceID)) { harness in
            try await harness.waitUntilProviderReady()
            let malformed = "00-\(Self.callbackTrace.uppercased())-\(Self.callbackParent)-01"
            let (_, callback) = try await harness.login(callbackHeaders: Self.headers(malformed))
            #expect(callback.status == .found, "a malformed traceparent is ignored, never a 400")
            let sent = try #require(harness.provider.state.withLock { $0.tokenTraceHeaders }.last)
            #expect(sent.traceparent == nil && sent.tracestate == nil)
            #expect(!lines.all.joined().contains("trace_id"))
            #expect(!lines.all.joined().contains(Self.callbackTrace.uppercased()), "the raw header is never logged")
        }
    }
}
