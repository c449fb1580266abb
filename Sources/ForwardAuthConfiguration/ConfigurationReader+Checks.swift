import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

/// The checks of single options that need more than a parse: required values, key lengths, host lists, header
/// and cookie names, the callback path, the CA file.
extension ConfigurationReader {
    /// Key material shorter than this gets a louder warning (and previous secrets are refused); shorter than
    /// `recommendedKeyBytes` gets a warning.
    static let minimumKeyBytes = 16
    static let recommendedKeyBytes = 32

    func missing(_ name: String) -> String {
        guard let option = ConfigurationOption.canonical(name) else { return "\(name) is required" }
        var ways = ["--\(name)"] + option.environmentNames
        if let file = ConfigurationOption.all.first(where: { $0.fileFor == name }) {
            ways += ["--\(file.name)"] + file.environmentNames
        }
        return "\(name) is required: set " + ways.joined(separator: " or ")
    }

    mutating func required(_ name: String) -> String? {
        guard let value = optionalString(name)?.value else {
            problem(missing(name))
            return nil
        }
        return value
    }

    mutating func requiredSecret(_ name: String) -> Secret? {
        let before = problems.count
        let value = secret(name)
        if value == nil, problems.count == before { problem(missing(name)) }
        return value
    }

    mutating func listenAddress() -> String {
        var value = String(string("listen-address").trimmingWhitespace())
        if value.isEmpty || value.contains(where: \.isWhitespace) {
            problem("\(naming("listen-address", entry("listen-address"))): \"\(value)\" is not an address")
        }
        // `[::]` as in a URL: the socket wants the bare address.
        if value.hasPrefix("["), value.hasSuffix("]"), value.count > 2 { value = String(value.dropFirst().dropLast()) }
        return value
    }

    /// The issuer as a URL and exactly as written (the ID token's `iss` is compared with the string).
    mutating func issuer() -> (URL, String)? {
        guard let (value, entry) = optionalString("provider-uri") else {
            problem(missing("provider-uri"))
            return nil
        }
        guard let url = ValueSyntax.httpURL(value), url.query == nil, url.fragment == nil else {
            problem(
                "\(naming("provider-uri", entry)): \"\(value)\" is not an absolute http(s) URL without query or fragment"
            )
            return nil
        }
        return (url, value)
    }

    mutating func checkDefaultProvider() {
        if let (value, entry) = optionalString("default-provider"), value.lowercased() != "oidc" {
            problem("\(naming("default-provider", entry)): \"\(value)\" is not supported; only oidc")
        }
    }

    mutating func scopes() -> [String] {
        let (items, entries) = list("scope")
        if !items.contains("openid") {
            problem("\(naming("scope", entries.last)): must contain openid")
        }
        return items
    }

    /// `ssl-cert-file`: read now so a missing or empty mount is reported at start, not at the first login.
    mutating func certificateFile() -> String? {
        guard let (path, entry) = optionalString("ssl-cert-file") else { return nil }
        do {
            let text = try readFile(path)
            if !text.contains("-----BEGIN CERTIFICATE-----") {
                problem("\(naming("ssl-cert-file", entry)): \(path) holds no PEM certificate")
            }
        } catch {
            problem("\(naming("ssl-cert-file", entry)): cannot read \(path): \(error)")
        }
        return path
    }

    mutating func hostnames(_ name: String) -> [String] {
        let (items, entries) = list(name)
        var hosts: [String] = []
        for item in items {
            if let host = ValueSyntax.hostname(item) {
                if !hosts.contains(host) { hosts.append(host) }
            } else {
                problem("\(naming(name, entries.last)): \"\(item)\" is not a host name (no scheme, port or path)")
            }
        }
        return hosts
    }

    /// The SSO broker's URLs, each in the form it is compared in (`BrokerSettings.canonicalCallback`).
    mutating func brokerURLs(_ name: String) -> [String] {
        let (items, entries) = list(name)
        var urls: [String] = []
        for item in items {
            if let url = BrokerSettings.canonicalCallback(item) {
                if !urls.contains(url) { urls.append(url) }
            } else {
                problem(
                    "\(naming(name, entries.last)): \"\(loggable(item))\" is not an absolute http(s) URL with a path and "
                        + "no query, fragment or user info")
            }
        }
        return urls
    }

    mutating func headerNames(_ name: String) -> [String] {
        let (items, entries) = list(name)
        for item in items where !ValueSyntax.isToken(item) {
            problem("\(naming(name, entries.last)): \"\(item)\" is not a valid header name")
        }
        return items
    }

    mutating func cookieName(_ name: String) -> String {
        let value = String(string(name).trimmingWhitespace())
        if !ValueSyntax.isToken(value) {
            problem("\(naming(name, entry(name))): \"\(value)\" is not a valid cookie name")
        }
        return value
    }

    /// `url-path`: a leading `/` is added; `/` alone would swallow every request.
    mutating func callbackPath() -> String {
        var path = String(string("url-path").trimmingWhitespace())
        if !path.hasPrefix("/") { path = "/" + path }
        let forbidden = path.contains { $0.isWhitespace || $0 == "?" || $0 == "#" || $0 == "%" }
        if path == "/" || forbidden {
            problem(
                "\(naming("url-path", entry("url-path"))): \"\(path)\" is not a callback path (not /, no ?, #, % or spaces)"
            )
        }
        return path
    }

    /// `secret` or `encryption-key`: a warning below 32 bytes, a louder one below 16. Not a problem: the Go fork
    /// started with any length (it only logged a hint), and a swap must not stop the pod.
    mutating func key(_ name: String, required: Bool) -> Secret? {
        let value = required ? requiredSecret(name) : secret(name)
        guard let value else { return nil }
        let source = naming(name, secretEntry(name))
        if value.byteCount < Self.minimumKeyBytes {
            warn(
                "\(source) is only \(value.byteCount) bytes: a key this short can be guessed, and with it cookies "
                    + "forged; use \(Self.recommendedKeyBytes) random bytes or more (previous-secrets keeps sessions "
                    + "across the change)")
        } else if value.byteCount < Self.recommendedKeyBytes {
            warn(
                "\(source) is shorter than \(Self.recommendedKeyBytes) bytes; use \(Self.recommendedKeyBytes) random bytes or more"
            )
        }
        return value
    }

    mutating func previousSecrets() -> [Secret] {
        let (items, entries) = list("previous-secrets")
        var secrets: [Secret] = []
        for (index, item) in items.enumerated() {
            if item.utf8.count < Self.minimumKeyBytes {
                problem(
                    "\(naming("previous-secrets", entries.last)): entry \(index + 1) is shorter than \(Self.minimumKeyBytes) bytes"
                )
            } else {
                secrets.append(Secret(item))
            }
        }
        return secrets
    }
}
