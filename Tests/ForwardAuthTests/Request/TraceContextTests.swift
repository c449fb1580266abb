import Testing

@testable import ForwardAuthWire

/// W3C Trace Context as Traefik sends it: what is continued and what is ignored (never an error).
@Suite("W3C trace context")
struct TraceContextTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"
    static let valid = "00-\(traceID)-\(parentID)-01"

    @Test func aValidTraceparentIsRead() throws {
        let trace = try #require(
            TraceContext(traceparent: Self.valid, tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"))
        #expect(trace.traceID == Self.traceID && trace.parentID == Self.parentID && trace.flags == "01")
        #expect(trace.traceState == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
        let child = trace.traceparent(childSpanID: "b7ad6b7169203331")
        #expect(child == "00-\(Self.traceID)-b7ad6b7169203331-01")
    }

    @Test func aLaterVersionIsReadAsVersion00() throws {
        let trace = try #require(
            TraceContext(traceparent: "cc-\(Self.traceID)-\(Self.parentID)-01-what-the-future-holds"))
        #expect(trace.traceID == Self.traceID)
    }

    @Test(arguments: [
        "",
        "00",
        "00-\(traceID)-\(parentID)-01 ",  // trailing space: version 00 is exactly 55 characters
        "00-\(traceID)-\(parentID)-01-extra",
        "ff-\(traceID)-\(parentID)-01",  // version ff is invalid
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-\(parentID)-01",  // upper case
        "00-00000000000000000000000000000000-\(parentID)-01",  // all-zero trace id
        "00-\(traceID)-0000000000000000-01",  // all-zero parent id
        "00-\(traceID)-\(parentID)-0g",
        "00_\(traceID)-\(parentID)-01",
        "cc-\(traceID)-\(parentID)-01x",  // a later version continues only after a dash
        "00-\(traceID)-\(parentID)-01" + String(repeating: "-x", count: 300),  // oversized
    ])
    func aMalformedTraceparentIsIgnored(_ value: String) {
        #expect(TraceContext(traceparent: value, tracestate: "a=b") == nil)
    }

    @Test(arguments: [
        "UPPER=x",  // keys are lower case
        "a=b=c",
        "a=",
        "=b",
        "a=b,c",
        "a=b\u{7}",
        String(repeating: "k=v,", count: 33),  // more than 32 members
        "k=" + String(repeating: "v", count: 600),  // longer than 512
    ])
    func aMalformedTracestateIsDroppedAndTheTraceKept(_ value: String) throws {
        let trace = try #require(TraceContext(traceparent: Self.valid, tracestate: value))
        #expect(trace.traceState == nil)
    }

    @Test func emptyMembersAndTenantKeysAreAllowed() throws {
        let trace = try #require(TraceContext(traceparent: Self.valid, tracestate: "a=1,, t@vendor=2 "))
        #expect(trace.traceState == "a=1,, t@vendor=2 ")
    }

    @Test func fromHeadersOneTraceparentAndEveryTracestateLine() throws {
        let headers: HeaderList = ["traceparent": Self.valid, "tracestate": "a=1", "TraceState": "b=2"]
        let trace = try #require(TraceContext(headers: headers))
        #expect(trace.traceID == Self.traceID && trace.traceState == "a=1,b=2")
        let twice: HeaderList = ["traceparent": Self.valid, "Traceparent": Self.valid]
        #expect(TraceContext(headers: twice) == nil, "several traceparent headers are invalid")
        #expect(TraceContext(headers: ["tracestate": "a=1"] as HeaderList) == nil)
    }

    @Test func newSpanIDsAreSixteenLowerHexDigits() {
        for _ in 0..<100 {
            let id = TraceContext.newSpanID()
            #expect(
                id.utf8.count == 16 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }
                    && id != String(repeating: "0", count: 16))
        }
    }
}
