import ForwardAuth
import Foundation
import Logging
import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

@Suite("Kubernetes access")
struct KubernetesAccessTests {
    @Test func inClusterSettingsComeFromTheEnvironment() throws {
        let access = try KubernetesAccess.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: "/sa")
        #expect(
            access
                == KubernetesAccess(
                    baseURL: "https://10.96.0.1:443", tokenPath: "/sa/token", caCertificatePath: "/sa/ca.crt"))
        let v6 = try KubernetesAccess.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"])
        #expect(v6.baseURL == "https://[fd00::1]:6443")
        #expect(v6.tokenPath == "/var/run/secrets/kubernetes.io/serviceaccount/token")
    }

    @Test(arguments: [
        [String: String](),
        ["KUBERNETES_SERVICE_HOST": "10.96.0.1"],
        ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "https"],
        ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "70000"],
    ])
    func outsideAClusterIsAClearError(environment: [String: String]) {
        #expect(throws: KubernetesError.self) { try KubernetesAccess.inCluster(environment: environment) }
    }

    @Test func rbacServicesPickTheSource() throws {
        var configuration = Configuration.testing()
        let store = RBACPolicyStore()
        let logger = Logger(label: "test")
        let access = KubernetesAccess(baseURL: "http://127.0.0.1:1", tokenPath: "/t", caCertificatePath: nil)
        #expect(
            try rbacServices(configuration: configuration, store: store, kubernetes: access, logger: logger).isEmpty)
        configuration.enableRBAC = true
        let watch = try rbacServices(configuration: configuration, store: store, kubernetes: access, logger: logger)
        #expect(watch.count == 1 && watch.first is RBACWatcher)
        configuration.rbacFile = "/etc/forward-auth/rbac.yaml"
        let file = try rbacServices(configuration: configuration, store: store, kubernetes: access, logger: logger)
        #expect((file.first as? RBACFileWatcher)?.path == "/etc/forward-auth/rbac.yaml")
        let badCA = KubernetesAccess(baseURL: "https://x:1", tokenPath: "/t", caCertificatePath: "/nonexistent/ca.crt")
        configuration.rbacFile = nil
        #expect(throws: (any Error).self) {
            try rbacServices(configuration: configuration, store: store, kubernetes: badCA, logger: logger)
        }
    }

    @Test func watchLinesAreSplitAcrossChunksAndBounded() throws {
        var reader = WatchLineReader(limit: 16)
        #expect(try reader.append(Array("{\"a\":1}\n{\"b\"".utf8), resource: "r") == [Array("{\"a\":1}".utf8)])
        #expect(try reader.append(Array(":2}\n\n".utf8), resource: "r") == [Array("{\"b\":2}".utf8)])
        #expect(try reader.append(Array("{\"c\":3}".utf8), resource: "r") == [])
        #expect(reader.finish() == Array("{\"c\":3}".utf8))
        #expect(throws: KubernetesError.self) {
            try reader.append(Array(repeating: UInt8(ascii: "x"), count: 17), resource: "r")
        }
    }
}
