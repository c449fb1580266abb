import ForwardAuth

/// An error answer for a program, in the best of JSON, XML or text that its `Accept` header names.
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
            body = #"{"status":\#(status),"message":"\#(Self.jsonEscaped(message))"}"#
        case .xml:
            contentType = "application/xml"
            body =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><status>\(status)</status><message>\(HTMLText.escaped(message))</message></error>"
        case .text:
            contentType = "text/plain; charset=utf-8"
            body = message + "\n"
        }
        return Answer(
            status: status,
            headers: [(name: "Content-Type", value: contentType), (name: "Cache-Control", value: "no-store")],
            body: body)
    }

    /// C0, DEL, C1, the line and paragraph separators and the invisible format characters (zero-width, bidi
    /// overrides, BOM): what a terminal or a log viewer may act on or hide (ESC starts a terminal sequence, U+2028
    /// breaks a line in JavaScript-based viewers, U+202E reverses what follows). Escaped wherever text is written.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `\uXXXX`, as JSON writes a character (the controls escaped here are all in the Basic Multilingual Plane).
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
