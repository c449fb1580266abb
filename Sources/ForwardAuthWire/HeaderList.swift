/// A plain list of header fields: for tests, benchmarks and fuzzing.
package struct HeaderList: RequestHeaders, ExpressibleByDictionaryLiteral {
    package var fields: [(name: String, value: String)]

    package init(_ fields: [(name: String, value: String)]) { self.fields = fields }

    package init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    package func values(_ name: String) -> [String] {
        fields.lazy.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    package func first(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    package func last(_ name: String) -> String? {
        fields.last { $0.name.caseInsensitiveEquals(name) }?.value
    }
}
