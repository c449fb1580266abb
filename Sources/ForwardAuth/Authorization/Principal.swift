/// Who is asking, once a session cookie or a Bearer ID token identified them: what authorization judges and
/// what the identity headers tell the upstream.
public struct Principal: Sendable, Hashable {
    public var email: String
    /// The token's groups, without `group-claim-prefix`.
    public var groups: [String]
    /// The claims `claim-header` maps to headers (the groups claim excepted: it is `groups`).
    public var claims: [NamedClaim]
    /// The raw ID token, kept only when `forward-token-header-name` forwards it.
    public var idToken: String?

    public init(email: String, groups: [String], claims: [NamedClaim] = [], idToken: String? = nil) {
        self.email = email
        self.groups = groups
        self.claims = claims
        self.idToken = idToken
    }

    public init(_ session: Session) {
        self.init(email: session.email, groups: session.groups, claims: session.claims, idToken: session.idToken)
    }
}

/// One ID token claim as the strings a header carries: a string, each string of a list, or a number or
/// boolean as written.
public struct NamedClaim: Sendable, Hashable {
    public var name: String
    public var values: [String]

    /// Claims larger than this (all values together, in UTF-8 bytes) are not kept: they would swell every
    /// session cookie and every upstream request.
    public static let maximumBytes = 2048

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// The claim `name` of `claims` as strings; nil when absent, `null`, an object, a list holding anything but
    /// scalars, or over `maximumBytes`.
    public init?(name: String, from claims: [String: ClaimValue]) {
        guard let value = claims[name] else { return nil }
        var values: [String] = []
        switch value {
        case .array(let items):
            for item in items {
                guard let text = item.scalarText else { return nil }
                values.append(text)
            }
        default:
            guard let text = value.scalarText else { return nil }
            values = [text]
        }
        guard values.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumBytes else { return nil }
        self.init(name: name, values: values)
    }
}

extension ClaimValue {
    /// A string, number or boolean as text; nil for `null`, lists and objects.
    fileprivate var scalarText: String? {
        switch self {
        case .string(let value): value
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .null, .array, .object: nil
        }
    }
}
