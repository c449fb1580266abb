/// One JSON value from an ID token's payload, kept as it was so that any claim can be read later (a claim
/// mapped to a header, a custom groups attribute) without a type declared for it in advance.
package enum ClaimValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    /// A JSON number that is a whole number fitting in 64 bits (times, counters).
    case integer(Int64)
    /// Any other JSON number.
    case number(Double)
    case string(String)
    case array([ClaimValue])
    case object([String: ClaimValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Order matters: a JSON `true` must not become 1, and 10 must stay an integer.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ClaimValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ClaimValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, if this is one.
    package var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The number as seconds, if this is a number (JWT times are "NumericDate": seconds, maybe fractional).
    package var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// A string as a one-element list, an array of strings as the list; nil for anything else (an array with
    /// a non-string element included), so a malformed claim is never half-read.
    package var stringList: [String]? {
        switch self {
        case .string(let value):
            return [value]
        case .array(let values):
            var strings: [String] = []
            strings.reserveCapacity(values.count)
            for value in values {
                guard case .string(let string) = value else { return nil }
                strings.append(string)
            }
            return strings
        default:
            return nil
        }
    }
}
