import ForwardAuth
import HTTPTypes

/// Lets the domain read Hummingbird's header fields without knowing the type.
struct ForwardedHeaders: RequestHeaders {
    let fields: HTTPFields

    func values(_ name: String) -> [String] {
        guard let field = HTTPField.Name(name) else { return [] }
        return fields[values: field]
    }

    /// The first field's value. (`fields[name]` would join every field with commas, so two equal
    /// `X-Forwarded-Uri`s would read differently here than on the other readers.)
    func first(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return fields[values: field].first
    }

    func last(_ name: String) -> String? {
        guard let field = HTTPField.Name(name) else { return nil }
        return fields[values: field].last
    }
}
