import ForwardAuthOIDC
import ForwardAuthWire

/// The request a proxy asks us to judge, rebuilt from its `X-Forwarded-*` headers.
///
/// The judged URL is `<proto>://<host><prefix><uri>`. An absent header falls back to the subrequest's own
/// request line (direct callbacks, logout and probes carry none); a malformed one is an error (400), never
/// a guess.
///
/// `X-Forwarded-Prefix` widens what is judged (`/public` + `/admin` is under `/public`), and nginx, Caddy and
/// Traefik before v2.11.14 / v3.2.1 pass a client's value on. So it counts only when the operator says the proxy
/// removes a client's (`trust-forwarded-prefix`), and then exactly one value is accepted; otherwise it is ignored
/// for judging and for the return URL, and `ignoredPrefix` says one was sent.
package struct ForwardedRequest: RuleRequest, Sendable {
    package enum Scheme: String, Sendable {
        case http, https
    }

    /// Upper-case method of the original request.
    package let method: String
    package let scheme: Scheme
    package let authority: Authority
    /// The proxy's path prefix (`X-Forwarded-Prefix`), as sent; empty when none or not trusted.
    package let prefix: String
    /// An `X-Forwarded-Prefix` came and was ignored, since the prefix is not trusted.
    package let ignoredPrefix: Bool
    /// A proxy's auth subrequest: its own request-line path is exactly `/` and it carries `X-Forwarded-Uri`, the
    /// address every documented Traefik, Caddy and nginx wiring calls and that no route a browser can reach sends
    /// to us. Only its answer may carry upstream-only headers (`IdentityHeaders`): any other request reached us
    /// straight from a client, who would read them.
    package let isAuthSubrequest: Bool
    /// Path and query of the original request as sent (a `#` is refused), without the prefix.
    package let uri: String
    /// Normalized `prefix + path`: what rules and authorization judge.
    package let path: String
    /// Query without `?`; empty when none.
    package let query: String
    package let headers: any RequestHeaders

    /// Host without port, lower-case.
    package var host: String { authority.host }

    /// The absolute URL of the original request: where a login sends the browser back to.
    package var url: String { "\(scheme.rawValue)://\(authority)\(prefix)\(uri)" }

    /// The root of the original request's origin: where a login goes back to when its own target is refused.
    package var rootURL: String { "\(scheme.rawValue)://\(authority)/" }

    package func headerValues(_ name: String) -> [String] { headers.values(name) }

    /// Requests over this many bytes of URI are refused: no proxy sends them, and every matcher downstream
    /// can then rely on a bounded input.
    package static let maximumURILength = 8192

    /// - Parameters:
    ///   - headers: the subrequest's headers.
    ///   - method: the subrequest's own method (used when `X-Forwarded-Method` is absent).
    ///   - uri: the subrequest's own request target (used when `X-Forwarded-Uri` is absent).
    ///   - trustPrefix: `trust-forwarded-prefix`: whether `X-Forwarded-Prefix` is judged (else ignored).
    package init(
        headers: some RequestHeaders, method requestMethod: String, uri requestURI: String, trustPrefix: Bool = false
    ) throws(ForwardedRequestError) {
        let methodText = try Self.single("X-Forwarded-Method", headers) ?? requestMethod
        guard !methodText.isEmpty, methodText.utf8.count <= 32, methodText.utf8.allSatisfy(HTTPToken.isTokenByte) else {
            throw .invalidMethod
        }
        self.method = methodText.utf8.allSatisfy({ !($0 >= 0x61 && $0 <= 0x7A) }) ? methodText : methodText.uppercased()

        if let proto = try Self.single("X-Forwarded-Proto", headers) {
            // A chain of proxies may append: the first entry is the client-facing one.
            let first = proto.utf8.split(separator: UInt8(ascii: ","), maxSplits: 1).first ?? []
            switch Self.trimmedLowercase(first) {
            case "http", "ws": self.scheme = .http
            case "https", "wss": self.scheme = .https
            default: throw .invalidProto
            }
        } else {
            self.scheme = .http
        }

        var hostText = try Self.single("X-Forwarded-Host", headers)
        // A direct request's own Host; two different ones are refused like any repeated forwarded header.
        if hostText == nil { hostText = try Self.single("Host", headers) }
        guard let hostText else {
            throw .missingHost
        }
        guard let authority = Authority(parsing: hostText) else { throw .invalidHost }
        self.authority = authority

        let sentPrefix = headers.first("X-Forwarded-Prefix")
        // The prefix as judged: normalized on its own, without a trailing `/`; empty for none or `/`.
        var judgedPrefix = ""
        if trustPrefix, let sentPrefix {
            // One proxy sets one value: a second can only be a client's that the proxy did not remove.
            guard headers.values("X-Forwarded-Prefix").count == 1 else { throw .conflicting("X-Forwarded-Prefix") }
            guard
                sentPrefix.isEmpty
                    || (sentPrefix.utf8.first == UInt8(ascii: "/") && Self.isVisibleASCII(sentPrefix)),
                !sentPrefix.utf8.contains(UInt8(ascii: "?")), sentPrefix.utf8.count <= 1024
            else { throw .invalidPrefix }
            // "/app/" + "/x" must not become "/app//x".
            self.prefix = Self.withoutTrailingSlash(sentPrefix)
            self.ignoredPrefix = false
            if !prefix.isEmpty {
                guard let normalized = PathNormalizer.normalize(prefix) else { throw .invalidPrefix }
                judgedPrefix = Self.withoutTrailingSlash(normalized)
            }
        } else {
            self.prefix = ""
            self.ignoredPrefix = sentPrefix != nil
        }

        let forwardedURI = try Self.single("X-Forwarded-Uri", headers)
        self.isAuthSubrequest = forwardedURI != nil && Self.isRoot(requestURI)
        let uriText = forwardedURI ?? requestURI
        guard uriText.utf8.count <= Self.maximumURILength else { throw .uriTooLong }
        // No `#`: a request target never holds one, and an upstream that reads it as a path character (Go's
        // FileServer) would resolve `/public/#/../../admin` where we judged `/public/`.
        guard uriText.utf8.first == UInt8(ascii: "/"), Self.isVisibleASCII(uriText),
            !uriText.utf8.contains(UInt8(ascii: "#"))
        else { throw .invalidURI }
        self.uri = uriText
        let judged: String?
        if let mark = uriText.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.query = String(uriText[uriText.utf8.index(after: mark)...])
            judged = PathNormalizer.normalize(uriText[..<mark])
        } else {
            self.query = ""
            judged = PathNormalizer.normalize(self.uri)
        }
        guard let judged else { throw .invalidURI }
        // Each part normalized alone: the URI's dot-segments (`/%2e%2e/public`) cannot climb out of the prefix
        // the proxy routed on.
        self.path = judgedPrefix.isEmpty ? judged : judgedPrefix + judged
        self.headers = headers
    }

    /// The header's value; several different values are refused rather than one picked: Traefik, nginx and
    /// Caddy each send one, so a second can only come from a client hoping that we read another one than the
    /// proxy did.
    private static func single(_ name: String, _ headers: some RequestHeaders) throws(ForwardedRequestError)
        -> String?
    {
        do {
            return try headers.agreedValue(name)
        } catch {
            throw .conflicting(name)
        }
    }

    private static func withoutTrailingSlash(_ path: String) -> String {
        path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
    }

    /// Whether a request target's path is exactly `/` (a query may follow): no other spelling counts.
    private static func isRoot(_ target: String) -> Bool {
        var bytes = target.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "/") else { return false }
        let next = bytes.next()
        return next == nil || next == UInt8(ascii: "?")
    }

    private static func isVisibleASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func trimmedLowercase(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).trimmingBlanks().asciiLowercased()
    }
}

/// Why the forwarded headers could not be read. The description is safe to show and log.
package struct ForwardedRequestError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case invalidMethod, invalidProto, missingHost, invalidHost, invalidPrefix, invalidURI, uriTooLong
        case conflicting(String)
    }

    private let code: Code
    private init(_ code: Code) { self.code = code }

    package static let invalidMethod = Self(.invalidMethod)
    package static let invalidProto = Self(.invalidProto)
    package static let missingHost = Self(.missingHost)
    package static let invalidHost = Self(.invalidHost)
    package static let invalidPrefix = Self(.invalidPrefix)
    package static let invalidURI = Self(.invalidURI)
    package static let uriTooLong = Self(.uriTooLong)
    /// The header came several times with different values.
    package static func conflicting(_ header: String) -> Self { Self(.conflicting(header)) }

    /// Whether the answer should be 431/414-like (too large) rather than a plain 400.
    package var isTooLarge: Bool { code == .uriTooLong }

    package var description: String {
        switch code {
        case .invalidMethod: "X-Forwarded-Method is not a valid HTTP method"
        case .invalidProto: "X-Forwarded-Proto must be http, https, ws or wss"
        case .missingHost: "neither X-Forwarded-Host nor Host is present"
        case .invalidHost: "X-Forwarded-Host is not a valid host[:port]"
        case .invalidPrefix: "X-Forwarded-Prefix must be a path starting with /"
        case .invalidURI:
            "X-Forwarded-Uri must be a path starting with / (no absolute URI, no control characters, valid percent-escapes, no . or .. segment, no backslash, no #)"
        case .uriTooLong: "X-Forwarded-Uri is longer than \(ForwardedRequest.maximumURILength) bytes"
        case .conflicting(let header): "\(header) is given several times"
        }
    }
}
