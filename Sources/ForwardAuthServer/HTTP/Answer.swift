import ForwardAuthWire
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// A rendered answer in no framework's types: status, header fields and body.
///
/// Both writers take it: the Hummingbird responder (`Response(answer)`) and the event-loop check handler, which
/// writes NIO's HTTP/1 parts directly. Rendering once, here, keeps their answers byte for byte the same.
struct Answer {
    var status: Int
    var headers: [(name: String, value: String)]
    /// Empty for answers a proxy acts on by status and headers alone (200 with identity headers, redirects).
    var body: String

    init(status: Int, headers: [(name: String, value: String)] = [], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension Response {
    init(_ answer: Answer) {
        var fields = HTTPFields()
        fields.reserveCapacity(answer.headers.count)
        for header in answer.headers {
            // Configured names are validated at start; a name HTTPTypes still refuses is dropped, not sent.
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        // NIO's table gives the standard reason phrase (HTTPTypes' `init(code:)` leaves it empty).
        let status = HTTPResponse.Status(
            code: answer.status, reasonPhrase: HTTPResponseStatus(statusCode: answer.status).reasonPhrase)
        self.init(
            status: status, headers: fields,
            body: answer.body.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
