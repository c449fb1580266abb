import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdTesting
import NIOSSL
import SwiftASN1
import Testing
import X509

@testable import ForwardAuthOIDC
@testable import ForwardAuthServer

/// In-cluster Dex is signed by the cluster CA: `SSL_CERT_FILE` names the PEM bundle we trust for the provider.
@Suite("Provider TLS trust")
struct ProviderTrustTests {
    /// A self-signed certificate for `localhost`, and its key, as PEM.
    static func selfSigned() throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("forward-auth test provider") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 3600, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                SubjectAlternativeNames([.dnsName("localhost")])
            },
            issuerPrivateKey: .init(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    @Test func theConfiguredCABundleIsTrustedAndOnlyWithIt() async throws {
        let (certificatePEM, keyPEM) = try Self.selfSigned()
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("fa-ca-\(UUID().uuidString).pem")
        try certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: caFile) }

        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ in "{}" }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
        let app = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try requireValue(client.port, "port")
            let url = try requireValue(URL(string: "https://localhost:\(port)/.well-known/openid-configuration"))

            let trusting = try AsyncHTTPClientTransport(caCertificateFile: caFile.path, timeout: .seconds(5))
            let response = try await trusting.send(OutboundRequest(method: "GET", url: url))
            try await trusting.shutdown()
            #expect(response.status == 200)

            let systemRoots = try AsyncHTTPClientTransport(caCertificateFile: nil, timeout: .seconds(5))
            await #expect(throws: (any Error).self) {
                _ = try await systemRoots.send(OutboundRequest(method: "GET", url: url))
            }
            try await systemRoots.shutdown()
        }
    }

    @Test func aMissingCAFileIsAnErrorAtStart() {
        #expect(throws: (any Error).self) { _ = try AsyncHTTPClientTransport(caCertificateFile: "/nonexistent/ca.pem") }
    }
}
