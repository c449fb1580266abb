import ForwardAuthWire

/// Whether a client can follow a login redirect, from its `Accept` header (the Go fork's rule): browsers name
/// `text/html`, or send `*/*` first.
package enum ClientKind: Sendable, Hashable {
    case browser
    case api

    package init(accept: String?) {
        guard let accept, !accept.isEmpty else {
            self = .api
            return
        }
        // Byte searches: this runs on every check, and `String.contains`/`split` allocate.
        let bytes = accept.utf8
        if accept.containsBytes("text/html") {
            self = .browser
            return
        }
        let firstEnd = bytes.firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") } ?? bytes.endIndex
        let first = bytes[..<firstEnd].drop { $0 == 0x20 || $0 == 0x09 }
        let trimmed = first.reversed().drop { $0 == 0x20 || $0 == 0x09 }
        self = trimmed.elementsEqual("*/*".utf8.reversed()) ? .browser : .api
    }
}
