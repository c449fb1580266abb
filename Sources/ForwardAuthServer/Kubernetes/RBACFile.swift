import ForwardAuth
import ForwardAuthOIDC
import Foundation
import Yams

/// The ClusterRoles and ClusterRoleBindings of an `--rbac-file`, read without a cluster.
///
/// Accepted: YAML or JSON (JSON is read as YAML); one object per document, several documents separated by
/// `---`, a `kind: List` (or `ClusterRoleList`, `ClusterRoleBindingList`) with `items`, or a bare list of
/// objects — the shapes `kubectl get -o yaml` and hand-written manifests take. Objects of other kinds are
/// skipped with a warning; a malformed ClusterRole or ClusterRoleBinding fails the whole file, naming it.
package struct RBACFile: Sendable, Equatable {
    package var roles: [ClusterRole] = []
    package var bindings: [ClusterRoleBinding] = []
    /// Skipped objects and oddities, for the log.
    package var warnings: [String] = []

    /// Reads and parses the file at `path`.
    package static func read(path: String) throws(RBACFileError) -> RBACFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path, Self.reason(error))
        }
        return try parse(data, source: path)
    }

    /// Parses file contents; `source` names the file in messages.
    package static func parse(_ data: Data, source: String) throws(RBACFileError) -> RBACFile {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidSyntax(source, "not UTF-8 text")
        }
        return try parse(text, source: source)
    }

    package static func parse(_ text: String, source: String) throws(RBACFileError) -> RBACFile {
        var file = RBACFile()
        var documents: YamlSequence<Node>
        do {
            documents = try Yams.compose_all(yaml: text)
        } catch {
            throw .invalidSyntax(source, Self.reason(error))
        }
        var number = 0
        while let document = documents.next() {
            number += 1
            try file.add(document: document, number: number, source: source)
        }
        if let error = documents.error { throw .invalidSyntax(source, Self.reason(error)) }
        if file.roles.isEmpty && file.bindings.isEmpty {
            file.warnings.append(
                "RBAC file \(source) holds no ClusterRole or ClusterRoleBinding: every check is denied")
        }
        return file
    }

    private mutating func add(document: Node, number: Int, source: String) throws(RBACFileError) {
        let location = "document \(number)"
        switch document {
        case .scalar(let scalar) where ["", "~", "null"].contains(scalar.string):
            return  // an empty document, e.g. after a trailing `---`
        case .sequence(let items):
            for (index, item) in items.enumerated() {
                try add(object: item, at: "\(location), item \(index + 1)", source: source)
            }
        case .mapping:
            if let kind = document["kind"]?.string, kind == "List" || kind.hasSuffix("List") {
                guard let items = document["items"] else { return }
                guard case .sequence(let list) = items else {
                    throw .malformedObject(source, at: location, "\(kind).items is not a list")
                }
                for (index, item) in list.enumerated() {
                    try add(object: item, at: "\(location), item \(index + 1)", source: source)
                }
            } else {
                try add(object: document, at: location, source: source)
            }
        default:
            throw .malformedObject(source, at: location, "expected an object or a list of objects")
        }
    }

    private mutating func add(object: Node, at location: String, source: String) throws(RBACFileError) {
        guard case .mapping = object else {
            throw .malformedObject(source, at: location, "expected an object, found \(Self.shape(object))")
        }
        let name = object["metadata"]?["name"]?.string
        guard let kind = object["kind"]?.string else {
            throw .malformedObject(source, at: location, "object \(name.map { "\"\($0)\" " } ?? "")has no kind")
        }
        let label = name.map { "\(kind) \"\($0)\"" } ?? kind
        do {
            switch kind {
            case "ClusterRole":
                let role = try YAMLDecoder().decode(ClusterRole.self, from: object)
                if roles.contains(where: { $0.name == role.name }) {
                    warnings.append("\(location): \(label) appears again; the later one is used")
                }
                roles.append(role)
            case "ClusterRoleBinding":
                let binding = try YAMLDecoder().decode(ClusterRoleBinding.self, from: object)
                if bindings.contains(where: { $0.name == binding.name }) {
                    warnings.append("\(location): \(label) appears again; the later one is used")
                }
                bindings.append(binding)
            default:
                warnings.append("\(location): \(label) ignored (only ClusterRole and ClusterRoleBinding count)")
            }
        } catch let error as DecodingError {
            throw .malformedObject(source, at: "\(location) (\(label))", Self.describe(error))
        } catch {
            throw .malformedObject(source, at: "\(location) (\(label))", Self.reason(error))
        }
    }

    /// `rules[0].verbs: expected a list of strings`-style text for a decoding failure.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text.isEmpty ? "the object" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : path(context.codingPath) + "."
            return "\(parent)\(key.stringValue) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(Self.typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(Self.typeName(type)), found nothing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Plain words for the expected shape, whichever decoder (Yams names its node types) reported it.
    private static func typeName(_ type: Any.Type) -> String {
        if type == String.self || type == Node.Scalar.self { return "a single value" }
        if type == Node.Sequence.self || "\(type)".hasPrefix("Array") { return "a list" }
        if type == Node.Mapping.self || "\(type)".hasPrefix("Dictionary") { return "an object" }
        return "a value of type \(type)"
    }

    private static func shape(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "the value \"\(scalar.string.prefix(40))\""
        case .sequence: "a list"
        case .mapping: "an object"
        case .alias: "an alias"
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let yaml = error as? YamlError { return "\(yaml)" }
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return (error as NSError).localizedDescription
    }
}
