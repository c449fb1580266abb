/// The matchers a rule may call, as Traefik v2 names them.
///
/// `Host` accepts templates (`{sub:[a-z]+}.example.com`) because the Go fork rewrites `Host(` to `HostRegexp(`
/// before handing the rule to Traefik's parser; `HostHeader` is Traefik's alias of `Host`. `ClientIP` is not
/// offered: a forward-auth subrequest does not carry a client address we could trust.
enum MatcherKind: String, CaseIterable, Sendable {
    case host = "Host"
    case hostHeader = "HostHeader"
    case hostRegexp = "HostRegexp"
    case path = "Path"
    case pathPrefix = "PathPrefix"
    case method = "Method"
    case headers = "Headers"
    case headersRegexp = "HeadersRegexp"
    case query = "Query"

    /// Traefik registers each matcher as written, in lower case, in upper case, and capitalized.
    private static let byName: [String: MatcherKind] = {
        var names: [String: MatcherKind] = [:]
        for kind in allCases {
            let name = kind.rawValue
            let lower = name.lowercased()
            for spelling in [name, lower, name.uppercased(), lower.prefix(1).uppercased() + lower.dropFirst()] {
                names[spelling] = kind
            }
        }
        return names
    }()

    init?(name: String) {
        guard let kind = Self.byName[name] else { return nil }
        self = kind
    }
}
