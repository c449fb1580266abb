import ForwardAuthOIDC

/// One `key=value` argument of `Query(...)`, matched as gorilla/mux does: the first occurrence of the key in
/// the query (keys and values percent- and `+`-decoded, pairs that do not decode or hold `;` skipped, as Go's
/// `url.ParseQuery` does) must carry the value. An empty value (`key=`) asks only that the key be present; the
/// value may be a template (`page={n:[0-9]+}`), anchored at both ends.
struct QueryCondition: Sendable {
    enum Value: Sendable {
        case any
        case literal([UInt8])
        case regex(BoundedRegex)
    }

    let key: [UInt8]
    let value: Value

    var regex: BoundedRegex? {
        if case .regex(let regex) = value { regex } else { nil }
    }

    /// Compiles `key=value`; `Failure.offset` is a byte offset into `argument`.
    init(_ argument: String) throws(RouteTemplate.Failure) {
        let bytes = Array(argument.utf8)
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), equals > 0 else {
            throw RouteTemplate.Failure(message: "arguments must be key=value", offset: 0)
        }
        if let brace = bytes[..<equals].firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }) {
            throw RouteTemplate.Failure(message: "a query key cannot be a template", offset: brace)
        }
        let valueBytes = bytes[(equals + 1)...]
        if let second = valueBytes.firstIndex(of: UInt8(ascii: "=")) {
            // Traefik splits the argument at every '=', which misaligns the pairs.
            throw RouteTemplate.Failure(message: "a query value cannot contain '='", offset: second)
        }
        self.key = Array(bytes[..<equals])
        if valueBytes.isEmpty {
            self.value = .any
            return
        }
        do {
            switch try RouteTemplate.compile(String(decoding: valueBytes, as: UTF8.self), as: .queryValue) {
            case .literal(let literal): self.value = .literal(Array(literal.utf8))
            case .regex(let regex): self.value = .regex(regex)
            }
        } catch {
            throw RouteTemplate.Failure(message: error.message, offset: equals + 1 + error.offset)
        }
    }

    func matches(query: String, budget: inout RegexBudget) -> Bool {
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            if pair.contains(UInt8(ascii: ";")) { continue }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            guard let decodedKey = Self.decoded(pair[..<(equals ?? pair.endIndex)]), decodedKey == key else {
                continue
            }
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            guard let decodedValue = Self.decoded(rawValue) else { continue }
            switch value {
            case .any: return true
            case .literal(let expected): return decodedValue == expected
            case .regex(let regex):
                return regex.matches(String(decoding: decodedValue, as: UTF8.self), budget: &budget)
            }
        }
        return false
    }

    /// `application/x-www-form-urlencoded` decoding; nil for a bad `%` escape.
    static func decoded(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        PercentDecoding.decode(encoded, plusIsSpace: true)
    }
}
