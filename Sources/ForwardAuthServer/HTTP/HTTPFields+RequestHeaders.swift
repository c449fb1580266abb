import ForwardAuth
import HTTPTypes

/// Lets the domain read Hummingbird's header fields without knowing the type.
struct ForwardedHeaders: RequestHeaders {
    let fields: HTTPFields

    func values(_ name: String) -> [String] {
        guard let field = HTTPField.Name(name) else { return [] }
        return fields[values: field]
    }

    func first(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return fields[field]
    }

    func last(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return fields[values: field].last
    }
}
