import ForwardAuthOIDC

/// A failure talking to the Kubernetes API. Descriptions carry the status, the API's own message and the
/// resource, never the token.
package struct KubernetesError: Error, Equatable, CustomStringConvertible {
    enum Code: Equatable {
        case notInCluster
        case token
        case status(Int)
        case gone
        case decoding
        case lineTooLong
        case timeout
    }

    let code: Code
    package let description: String

    static func notInCluster(_ detail: String) -> KubernetesError {
        KubernetesError(code: .notInCluster, description: detail)
    }

    static func token(_ detail: String) -> KubernetesError { KubernetesError(code: .token, description: detail) }

    static func status(_ status: Int, _ resource: String, message: String?) -> KubernetesError {
        var text = "\(resource): HTTP \(status)"
        if let message, !message.isEmpty { text += ": \(message.prefix(300))" }
        return KubernetesError(code: .status(status), description: text)
    }

    static func gone(_ resource: String) -> KubernetesError {
        KubernetesError(code: .gone, description: "\(resource): resource version too old (410 Gone)")
    }

    static func decoding(_ resource: String, _ detail: String) -> KubernetesError {
        KubernetesError(code: .decoding, description: "\(resource): unexpected response: \(detail)")
    }

    static func lineTooLong(_ resource: String, limit: Int) -> KubernetesError {
        KubernetesError(code: .lineTooLong, description: "\(resource): watch event longer than \(limit) bytes")
    }

    static func timeout(_ resource: String) -> KubernetesError {
        KubernetesError(code: .timeout, description: "\(resource): list timed out")
    }

    /// Whether the watch must start again from a new list (the API answered 410 Gone).
    var isGone: Bool { code == .gone || code == .status(410) }
}
