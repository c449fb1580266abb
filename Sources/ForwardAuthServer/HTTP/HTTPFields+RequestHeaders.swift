import ForwardAuthWire
import HTTPTypes

/// Lets the domain read Hummingbird's header fields without knowing the type.
struct ForwardedHeaders: RequestHeaders {
    let fields: HTTPFields
    /// The request's `Host`, which HTTPTypes keeps as the authority and not among the fields: without it, a direct
    /// request's `Host` fallback (a callback without `X-Forwarded-Host`) found nothing and answered 400.
    var authority: String? = nil

    func values(_ name: String) -> [String] {
        guard let field = HTTPField.Name(name) else { return [] }
        let values = fields[values: field]
        if values.isEmpty, field == .host, let authority { return [authority] }
        return values
    }

    /// The first field's value. (`fields[name]` would join every field with commas, so two equal
    /// `X-Forwarded-Uri`s would read differently here than on the other readers.)
    func first(_ name: String) -> String? {
        values(name).first
    }

    func last(_ name: String) -> String? {
        values(name).last
    }
}

extension HTTPField.Name {
    fileprivate static let host = Self("Host")!
}
