import ForwardAuth
import ForwardAuthWire
import Foundation

/// Seed inputs that hold cookies the code itself mints with the fixture's secret, so the fuzzers start from
/// real sealed values. Hand-written seeds live beside them in `Fuzz/Corpus/<Target>/`; these are regenerated
/// with `FUZZ_MINT_SEEDS=Fuzz/Corpus/<Target> <fuzz binary>` (see Fuzz/README.md) when the cookie format or
/// the fixture changes.
package enum MintedSeeds {
    /// This target's minted seeds: file name → input bytes.
    package static func seeds(for target: String) -> [(name: String, bytes: [UInt8])] {
        switch target {
        case "FuzzSessionCookie": sessionCookieSeeds()
        case "FuzzForwardedRequest": forwardedRequestSeeds()
        default: []
        }
    }

    /// Called from `LLVMFuzzerInitialize`: when `FUZZ_MINT_SEEDS` names a directory, writes the seeds there and
    /// exits, so the binary that fuzzes is the one that mints.
    package static func writeIfAsked(target: String) {
        guard let directory = ProcessInfo.processInfo.environment["FUZZ_MINT_SEEDS"], !directory.isEmpty else {
            return
        }
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for seed in seeds(for: target) {
                try Data(seed.bytes).write(to: folder.appendingPathComponent(seed.name))
            }
        } catch {
            fatalError("cannot write seeds to \(directory): \(error)")
        }
        print("wrote \(seeds(for: target).count) minted seeds to \(directory)")
        exit(0)
    }

    private static func sessionCookieSeeds() -> [(name: String, bytes: [UInt8])] {
        let plain = FuzzFixtures.session()
        let manyGroups = FuzzFixtures.session(groups: (0..<120).map { "kommander-project-\($0)-admins" })
        var expired = plain
        expired.expiresAt = FuzzFixtures.now - 1
        let settings = FuzzFixtures.cookieSettings
        let sessionSealer = Sealer(
            keys: FuzzFixtures.keys.keys(for: "session"), purpose: "session", cookieName: settings.sessionName)
        let sealed = BrowserCookies.sent([FuzzFixtures.sessionCookieHeader(plain)])
        let plaintext = sealed?.value(settings.sessionName).flatMap { sessionSealer.open($0) } ?? []
        func header(_ text: String) -> [UInt8] { [0] + Array(text.utf8) }
        return [
            ("minted-session", header(FuzzFixtures.sessionCookieHeader(plain))),
            ("minted-session-claims-chunks", header(FuzzFixtures.sessionCookieHeader(manyGroups))),
            ("minted-session-expired", header(FuzzFixtures.sessionCookieHeader(expired))),
            (
                "minted-session-among-others",
                header(
                    "theme=dark; _forward_auth_csrf.abc=x\n" + FuzzFixtures.sessionCookieHeader(plain)
                        + "; _ga=GA1.2.3")
            ),
            ("minted-session-plaintext", [1] + plaintext),
        ]
    }

    private static func forwardedRequestSeeds() -> [(name: String, bytes: [UInt8])] {
        let cookie = FuzzFixtures.sessionCookieHeader()
        let traefik = """
            GET /
            X-Forwarded-Method: GET
            X-Forwarded-Proto: https
            X-Forwarded-Host: app.example.com
            X-Forwarded-Uri: /dashboard?tab=1
            X-Forwarded-For: 10.0.0.7
            Accept: text/html,application/xhtml+xml
            Cookie: \(cookie)
            """
        let prefixed = """
            GET /
            X-Forwarded-Method: POST
            X-Forwarded-Proto: https
            X-Forwarded-Host: api.example.com:8443
            X-Forwarded-Prefix: /client
            X-Forwarded-Prefix: /app/
            X-Forwarded-Uri: /v1/%61dmin/../users?id=7
            X-Role: admin
            Cookie: theme=dark; \(cookie)
            """
        // A signed-in browser asking for nginx's old check path directly: never an auth subrequest.
        let direct = """
            GET /_oauth/auth
            X-Forwarded-Method: GET
            X-Forwarded-Proto: https
            X-Forwarded-Host: app.example.com
            Accept: */*
            Cookie: \(cookie)
            """
        return [
            ("minted-traefik-session", Array(traefik.utf8)),
            ("minted-prefix-session", Array(prefixed.utf8)),
            ("minted-direct-session", Array(direct.utf8)),
        ]
    }
}
