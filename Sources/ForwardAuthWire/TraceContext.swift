/// W3C Trace Context (`traceparent`, `tracestate`) that a proxy with tracing on (Traefik) sends, continued into
/// the provider calls made while answering that request and named on its log lines.
///
/// Parsed only where it is used (a login's start, pending work, logging), never on the cookie check's path. A
/// malformed or oversized header is ignored, as the W3C recommendation requires: the request is answered as if
/// it had none, and the raw header is never logged (only the validated trace id, 32 lower-case hex digits).
public struct TraceContext: Sendable, Hashable {
    /// 32 lower-case hex digits, not all zero.
    public let traceID: String
    /// The caller's span: 16 lower-case hex digits, not all zero.
    public let parentID: String
    /// Trace flags, 2 lower-case hex digits (`01`: sampled).
    public let flags: String
    /// The vendors' list, passed on unchanged when it is well-formed; nil otherwise.
    public let traceState: String?

    /// The trace context of the request being answered, bound by the server around its work.
    @TaskLocal public static var current: TraceContext?

    /// The longest `tracestate` passed on (W3C: at least 512 characters must be propagated; more may be cut).
    static let maximumTraceStateLength = 512
    static let maximumTraceStateMembers = 32

    /// Parses `traceparent` (one header value) and `tracestate` (the values joined with `,`); nil when
    /// `traceparent` is missing or malformed.
    public init?(traceparent: String?, tracestate: String? = nil) {
        guard let traceparent, let parsed = Self.parse(Array(traceparent.utf8)) else { return nil }
        (traceID, parentID, flags) = parsed
        traceState = tracestate.flatMap(Self.validTraceState)
    }

    /// The trace context of a request's headers; nil when `traceparent` is absent (looked up without allocating),
    /// malformed, or sent more than once (W3C: several are invalid). Several `tracestate` lines are one list.
    package init?(headers: some RequestHeaders) {
        guard headers.first("traceparent") != nil else { return nil }
        let parents = headers.values("traceparent")
        guard parents.count == 1 else { return nil }
        let states = headers.values("tracestate")
        self.init(traceparent: parents[0], tracestate: states.isEmpty ? nil : states.joined(separator: ","))
    }

    /// `traceparent` for a request this one makes: the same trace and flags, `spanID` as the parent.
    public func traceparent(childSpanID spanID: String) -> String {
        "00-\(traceID)-\(spanID)-\(flags)"
    }

    /// A new span id: 16 lower-case hex digits, not all zero.
    public static func newSpanID() -> String {
        var generator = SystemRandomNumberGenerator()
        var value: UInt64 = 0
        while value == 0 { value = generator.next() }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.utf8.count) + hex
    }

    /// `version-traceid-parentid-flags`. Version `ff` is invalid; version `00` is exactly 55 characters, a later
    /// version may carry more after a `-` (read as 00, as the recommendation says).
    private static func parse(_ bytes: [UInt8]) -> (String, String, String)? {
        guard bytes.count >= 55, bytes.count <= 512, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
            bytes[52] == UInt8(ascii: "-"), isHex(bytes[0..<2]), isHex(bytes[3..<35]), isHex(bytes[36..<52]),
            isHex(bytes[53..<55])
        else { return nil }
        let version = String(decoding: bytes[0..<2], as: UTF8.self)
        guard version != "ff",
            version == "00" ? bytes.count == 55 : (bytes.count == 55 || bytes[55] == UInt8(ascii: "-"))
        else { return nil }
        let traceID = bytes[3..<35]
        let parentID = bytes[36..<52]
        guard traceID.contains(where: { $0 != UInt8(ascii: "0") }),
            parentID.contains(where: { $0 != UInt8(ascii: "0") })
        else { return nil }
        return (
            String(decoding: traceID, as: UTF8.self), String(decoding: parentID, as: UTF8.self),
            String(decoding: bytes[53..<55], as: UTF8.self)
        )
    }

    /// Lower-case hex only: upper case is invalid in `traceparent`.
    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }

    /// The list when it is well-formed and within bounds: at most 32 `key=value` members, keys of
    /// `a-z 0-9 _ - * / @`, values of printable ASCII without `,` and `=`. Empty members (`a=1,,b=2`) are allowed.
    private static func validTraceState(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maximumTraceStateLength else { return nil }
        var members = 0
        for member in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let trimmed = member.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard !trimmed.isEmpty else { continue }
            members += 1
            guard members <= maximumTraceStateMembers, let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else {
                return nil
            }
            let key = trimmed[trimmed.startIndex..<equals]
            var value = trimmed[trimmed.index(after: equals)...]
            while value.last == UInt8(ascii: " ") || value.last == UInt8(ascii: "\t") { value = value.dropLast() }
            let keyOK =
                !key.isEmpty && key.count <= 256
                && key.allSatisfy {
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                        || [
                            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"),
                            UInt8(ascii: "@"),
                        ]
                        .contains($0)
                }
            let valueOK =
                !value.isEmpty && value.count <= 256
                && value.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
            guard keyOK, valueOK else { return nil }
        }
        return members > 0 ? text : nil
    }
}
