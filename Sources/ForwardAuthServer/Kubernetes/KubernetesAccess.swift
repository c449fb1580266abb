import ForwardAuthOIDC
import Foundation

/// How to reach the Kubernetes API: its base URL, the file holding the bearer token, and the CA to trust.
///
/// In a pod these come from the service-account mount and the `KUBERNETES_SERVICE_HOST`/`_PORT` variables
/// (`inCluster`); tests pass their own (plain HTTP on loopback, a token file of their own).
package struct KubernetesAccess: Sendable, Equatable {
    /// `https://host:port`, no trailing slash.
    package var baseURL: String
    /// Read again before every list and watch: projected service-account tokens rotate.
    package var tokenPath: String
    /// PEM bundle to trust instead of the system roots; nil keeps the system roots (or plain HTTP in tests).
    package var caCertificatePath: String?

    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    package init(baseURL: String, tokenPath: String, caCertificatePath: String?) {
        self.baseURL = baseURL
        self.tokenPath = tokenPath
        self.caCertificatePath = caCertificatePath
    }

    /// The in-cluster settings, or an error saying what is missing.
    package static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = serviceAccountDirectory
    ) throws(KubernetesError) -> KubernetesAccess {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw .notInCluster(
                "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; RBAC needs to run in a pod or "
                    + "an --rbac-file")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw .notInCluster("KUBERNETES_SERVICE_PORT \"\(port)\" is not a port number")
        }
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return KubernetesAccess(
            baseURL: "https://\(hostPart):\(portNumber)", tokenPath: serviceAccountDirectory + "/token",
            caCertificatePath: serviceAccountDirectory + "/ca.crt")
    }

    /// The current token, trimmed; never logged.
    func readToken() throws(KubernetesError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: tokenPath, encoding: .utf8)
        } catch {
            throw .token("cannot read the service-account token at \(tokenPath)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .token("the service-account token at \(tokenPath) is empty") }
        return token
    }
}
