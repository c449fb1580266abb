import ForwardAuth
import ForwardAuthWire

/// An error answer for a program, in the best of JSON, XML or text that its `Accept` header names.
///
/// The bodies keep the Go fork's fields, which clients of the service it replaces read: JSON `{"error": …}`, XML
/// `<errors><error>…</error></errors>`, text the message alone. `status` and `message` are ours, added beside them.
struct APIError {
    var status: Int
    var message: String

    /// The Go fork's words, which clients and scripts may already look for.
    static let unauthenticated = APIError(
        status: 401, message: "Authentication expired. Reload page to re-authenticate.")

    /// The 401 of every check without a session, rendered once per format: it is the answer to most API
    /// clients' requests, and rendering it (escaping, string building) cost more than the decision.
    static let unauthenticatedAnswers = Format.allCases.map { format in
        var answer = unauthenticated.answer(format)
        answer.headers.append((name: "WWW-Authenticate", value: "Bearer"))
        return answer
    }

    enum Format: Int, CaseIterable {
        case json, xml, text

        /// The first of JSON and XML that `Accept` names, else text (the Go fork's choice).
        init(accept: String?) {
            guard let accept else {
                self = .text
                return
            }
            self = accept.containsBytes("json") ? .json : accept.containsBytes("xml") ? .xml : .text
        }
    }

    func answer(accept: String?) -> Answer {
        answer(Format(accept: accept))
    }

    func answer(_ format: Format) -> Answer {
        let contentType: String
        let body: String
        switch format {
        case .json:
            contentType = "application/json"
            let message = TextEscaping.json(message)
            body = #"{"error":"\#(message)","status":\#(status),"message":"\#(message)"}"#
        case .xml:
            contentType = "application/xml"
            let message = TextEscaping.html(message)
            body =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors><error>\(message)</error><status>\(status)</status><message>\(message)</message></errors>"
        case .text:
            contentType = "text/plain; charset=utf-8"
            body = message + "\n"
        }
        return Answer(
            status: status,
            headers: [(name: "Content-Type", value: contentType), (name: "Cache-Control", value: "no-store")],
            body: body)
    }
}
