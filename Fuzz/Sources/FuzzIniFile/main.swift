import ForwardAuth
import ForwardAuthConfiguration
import ForwardAuthWire
import Foundation
import FuzzSupport

// The ini file (`--config`, strict, or the `CONFIG` variable's, read last and lenient as the Go fork was):
// whatever its bytes, loading answers with a configuration or a list of problems, never a trap; no answer repeats
// a secret; and a configuration it accepts is one the service can run with.
//
// Input: a mode byte (bit 0: the environment supplies the required settings, so the file's other options are
// judged; bit 1: the file is named by `CONFIG` instead of `--config`), then the ini file's bytes. Secrets are markers: `SECRET`/`CLIENT_SECRET` in the environment, and
// the file `/run/secrets/fuzz` that `*-file` options may name.

private let configPath = "/etc/forward-auth/fuzz.ini"
private let secretFilePath = "/run/secrets/fuzz"
private let clientSecretMarker = "client-secret-marker-7f3a9c"
private let secretMarker = "cookie-secret-marker-5d1e8b"
private let fileSecretMarker = "file-secret-marker-2c6b4a"
private let markers = [clientSecretMarker, secretMarker, fileSecretMarker]

private struct NoSuchFile: Error {}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIniFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (mode, payload) = FuzzInput(data, size).modeAndPayload else { return 0 }
    let ini = payload.text
    var environment = ["CLIENT_SECRET": clientSecretMarker]
    if mode & 1 == 1 {
        environment["PROVIDER_URI"] = "https://dex.example.com/dex"
        environment["CLIENT_ID"] = "forward-auth"
        environment["SECRET"] = secretMarker
    }
    if mode & 2 == 2 { environment["CONFIG"] = configPath }
    let arguments = mode & 2 == 2 ? [] : ["--config", configPath]
    let result = Configuration.load(arguments: arguments, environment: environment) { path in
        switch path {
        case configPath: return ini
        case secretFilePath: return fileSecretMarker + "\n"
        default: throw NoSuchFile()
        }
    }
    // A marker the file itself spells out may be echoed (an unknown key is quoted); only the others count.
    let secrets = markers.filter { !ini.contains($0) }
    func checkNoSecret(_ lines: [String], _ what: String) {
        for line in lines {
            invariant(!secrets.contains { line.contains($0) }, "a secret in \(what): \(line.prefix(120))")
        }
    }

    switch result {
    case .help, .version:
        invariant(false, "an ini file asked for help or the version")
    case .invalid(let problems):
        invariant(!problems.isEmpty, "refused without a problem")
        checkNoSecret(problems, "a problem")
    case .configuration(let configuration, let warnings):
        checkNoSecret(warnings, "a warning")
        checkNoSecret(configuration.description.split(separator: "\n").map(String.init), "the description")
        checkValid(configuration)
    }
    return 0
}

/// What `Configuration` documents for a loaded value, and that the service can be built from it.
private func checkValid(_ configuration: Configuration) {
    // Short keys start with a warning, as the Go fork started with them; empty ones never.
    invariant(configuration.secret.byteCount > 0, "an empty secret was accepted")
    invariant((configuration.encryptionKey?.byteCount ?? 1) > 0, "an empty encryption key was accepted")
    invariant(configuration.previousSecrets.allSatisfy { $0.byteCount >= 16 }, "a short previous secret was accepted")
    invariant(configuration.lifetime > 0, "a lifetime of \(configuration.lifetime) was accepted")
    invariant(
        configuration.urlPath.hasPrefix("/") && configuration.urlPath != "/", "url-path \(configuration.urlPath)")
    for domain in configuration.cookieDomains {
        invariant(
            !domain.isEmpty && !domain.hasPrefix(".") && domain == domain.lowercased(), "cookie domain \(domain)")
    }
    invariant(configuration.providerURI.scheme != nil, "a relative provider URI was accepted")
    invariant(configuration.ruleSet.count == configuration.rules.count, "rules and the compiled set disagree")

    let gatekeeper = Gatekeeper(configuration)
    let engine = DecisionEngine(
        loginFlow: LoginFlow(
            configuration, gatekeeper: gatekeeper, provider: FakeIdentityProvider(expectedNonce: FuzzFixtures.nonce)),
        trustForwardedPrefix: configuration.trustForwardedPrefix, random: FixedRandom(), logger: FuzzFixtures.logger)
    let headers: HeaderList = [
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com", "X-Forwarded-Uri": "/admin/x?debug=1",
        "Accept": "text/html",
    ]
    let judgement = engine.judge(method: "GET", target: "/", headers: headers, now: FuzzFixtures.now)
    invariant(judgement.request != nil, "the probe request does not parse")
}
