import ForwardAuthOIDC

/// One ID token claim as the strings a header carries: a string, each string of a list, or a number or
/// boolean as written.
package struct NamedClaim: Sendable, Hashable {
    package var name: String
    package var values: [String]

    /// Claims larger than this (all values together, in UTF-8 bytes) are not kept: they would swell every
    /// session cookie and every upstream request.
    package static let maximumBytes = 2048

    package init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// The claim `name` of `claims` as strings; nil when absent, `null`, an object, a list holding anything but
    /// scalars, or over `maximumBytes`.
    package init?(name: String, from claims: [String: ClaimValue]) {
        guard let value = claims[name] else { return nil }
        var values: [String] = []
        switch value {
        case .array(let items):
            for item in items {
                guard let text = item.scalarText else { return nil }
                values.append(text)
            }
        default:
            guard let text = value.scalarText else { return nil }
            values = [text]
        }
        guard values.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumBytes else { return nil }
        self.init(name: name, values: values)
    }
}
