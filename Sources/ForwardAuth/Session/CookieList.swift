/// A simple in-memory cookie list: for tests, benchmarks and fuzzing.
public struct CookieList: RequestCookies, ExpressibleByDictionaryLiteral {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.pairs = elements.map { (name: $0.0, value: $0.1) }
    }

    public func value(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    public func names(withPrefix prefix: String) -> [String] {
        pairs.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
