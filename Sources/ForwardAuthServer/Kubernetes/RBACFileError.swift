import ForwardAuthOIDC

/// Why an `--rbac-file` could not be used. The message names the file, the document and item, and the object
/// (kind and name) when known, so an operator can find the line to fix. The previous policy stays in force.
package struct RBACFileError: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case unreadable
        case syntax
        case malformed
    }

    private let code: Code
    package let description: String

    static func cannotRead(_ path: String, _ reason: String) -> RBACFileError {
        RBACFileError(code: .unreadable, description: "RBAC file \(path): cannot be read: \(reason)")
    }

    static func invalidSyntax(_ source: String, _ reason: String) -> RBACFileError {
        RBACFileError(code: .syntax, description: "RBAC file \(source): not valid YAML or JSON: \(reason)")
    }

    static func malformedObject(_ source: String, at location: String, _ reason: String) -> RBACFileError {
        RBACFileError(code: .malformed, description: "RBAC file \(source), \(location): \(reason)")
    }

    package static let unreadable = RBACFileError(code: .unreadable, description: "")
    package static let syntax = RBACFileError(code: .syntax, description: "")
    package static let malformed = RBACFileError(code: .malformed, description: "")

    /// Whether two errors are of the same kind (tests compare kinds, and read `description` for the detail).
    package func isKind(of other: RBACFileError) -> Bool { code == other.code }

    package static func == (lhs: RBACFileError, rhs: RBACFileError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }
}
