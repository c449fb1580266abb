import ForwardAuth
import NIOHTTP1

/// NIO's header block as the domain reads it (names compare case-insensitively, values as received).
struct NIORequestHeaders: RequestHeaders {
    let headers: HTTPHeaders

    func values(_ name: String) -> [String] { headers[name] }

    func first(_ name: String) -> String? { headers.first(name: name) }

    func last(_ name: String) -> String? {
        var last: String?
        for header in headers where header.name.caseInsensitiveEquals(name) { last = header.value }
        return last
    }
}
