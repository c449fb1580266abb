/// A simple in-memory cookie list: for tests, benchmarks and fuzzing.
package struct CookieList: RequestCookies, ExpressibleByDictionaryLiteral {
    package var pairs: [(name: String, value: String)]

    package init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    package init(dictionaryLiteral elements: (String, String)...) {
        self.pairs = elements.map { (name: $0.0, value: $0.1) }
    }

    package func value(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    package func names(withPrefix prefix: String) -> [String] {
        pairs.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
