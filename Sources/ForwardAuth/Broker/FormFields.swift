import ForwardAuthWire

/// The fields of an `application/x-www-form-urlencoded` body or query in which each name may appear once.
///
/// The broker's two inputs are read with it: the `/sso` query and the callback's form body. A repeated name is
/// refused rather than resolved (first or last wins), so a proxy, the browser and we can never read different
/// values; so is a broken `%` escape or a field that is not UTF-8.
package struct FormFields: Sendable {
    package enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case duplicate(String)
        case malformed

        package var description: String {
            switch self {
            case .duplicate(let name): "the field \"\(loggable(name))\" appears more than once"
            case .malformed: "a field is not form-encoded UTF-8"
            }
        }
    }

    private let fields: [String: String]

    package init(_ encoded: some Collection<UInt8>) throws(Problem) {
        var fields: [String: String] = [:]
        for pair in encoded.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw .malformed
            }
            guard fields.updateValue(value, forKey: name) == nil else { throw .duplicate(name) }
        }
        self.fields = fields
    }

    package func value(_ name: String) -> String? { fields[name] }

    private static func decode(_ bytes: some Collection<UInt8>) -> String? {
        PercentDecoding.decode(bytes, plusIsSpace: true).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
