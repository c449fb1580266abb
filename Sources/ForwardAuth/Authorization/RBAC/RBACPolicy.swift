import ForwardAuthOIDC

/// An immutable, compiled view of the roles and bindings in force, built once per change and read by every check.
///
/// Compiling does all the work a request should not: URL patterns are parsed and regexes compiled, verbs
/// lower-cased, ServiceAccount subjects and non-ClusterRole `roleRef`s dropped, and each binding indexed under
/// the subjects it names, so a check looks up only its own user and groups. Group subjects are indexed by the
/// token group they stand for (the name without `group-claim-prefix`), so a check needs no string building.
/// Entries that cannot be compiled are skipped and described in `problems`.
final class RBACPolicy: Sendable {
    /// The settings a compiled policy depends on.
    struct Options: Sendable, Hashable {
        var caseInsensitiveSubjects: Bool
        var v3URLPatternMatching: Bool
        var groupClaimPrefix: String

        init(_ settings: RBACSettings) {
            caseInsensitiveSubjects = settings.caseInsensitiveSubjects
            v3URLPatternMatching = settings.v3URLPatternMatching
            groupClaimPrefix = settings.groupClaimPrefix
        }
    }

    struct Rule: Sendable {
        var allVerbs: Bool
        /// Lower-cased.
        var verbs: [String]
        var urls: [URLPattern]

        func allows(method: String, _ request: inout RBACRequestTarget) -> Bool {
            guard allVerbs || verbs.contains(where: { Self.sameVerb(method, $0) }) else { return false }
            return urls.contains { $0.matches(&request) }
        }

        /// ASCII case-insensitive equality against a lower-case verb, without building a string.
        static func sameVerb(_ method: String, _ verb: String) -> Bool {
            method.utf8.count == verb.utf8.count && TextPattern.compareBytes(method, verb, fold: true)
        }
    }

    struct Role: Sendable {
        var name: String
        var rules: [Rule]
    }

    /// One binding, in binding-name order; `role` indexes `roles`, nil when the ClusterRole does not exist.
    struct Grant: Sendable {
        var binding: String
        var roleName: String
        var role: Int?
    }

    static let authenticatedGroup = "system:authenticated"

    let options: Options
    let roles: [Role]
    let grants: [Grant]
    /// Grant indices (ascending) by user name, lower-cased when subjects are case-insensitive.
    let userGrants: [String: [Int]]
    /// Grant indices by token group (subject name without the prefix), lower-cased likewise.
    let groupGrants: [String: [Int]]
    /// Grants to `system:authenticated`: every signed-in user.
    let authenticatedGrants: [Int]
    /// What was skipped and why, for the loader to log.
    let problems: [String]

    init(roles: some Collection<ClusterRole>, bindings: some Collection<ClusterRoleBinding>, options: Options) {
        self.options = options
        var problems: [String] = []
        var compiledRoles: [Role] = []
        var roleIndex: [String: Int] = [:]
        for role in roles.sorted(by: { $0.name < $1.name }) {
            roleIndex[role.name] = compiledRoles.count
            compiledRoles.append(Self.compile(role, v3: options.v3URLPatternMatching, problems: &problems))
        }
        var grants: [Grant] = []
        var users: [String: [Int]] = [:]
        var groups: [String: [Int]] = [:]
        var authenticated: [Int] = []
        let prefix = Self.key(options.groupClaimPrefix, options)
        for binding in bindings.sorted(by: { $0.name < $1.name }) {
            guard binding.roleRef.kind == "ClusterRole" else {
                problems.append(
                    "ClusterRoleBinding \"\(binding.name)\": roleRef kind \"\(binding.roleRef.kind)\" ignored "
                        + "(only ClusterRole counts)")
                continue
            }
            let index = grants.count
            grants.append(
                Grant(binding: binding.name, roleName: binding.roleRef.name, role: roleIndex[binding.roleRef.name]))
            for subject in binding.subjects {
                let name = Self.key(subject.name, options)
                switch subject.kind {
                case "User":
                    Self.add(index, to: &users[name, default: []])
                case "Group":
                    if name == Self.authenticatedGroup {
                        Self.add(index, to: &authenticated)
                    } else if name.utf8.starts(with: prefix.utf8) {
                        let group = String(decoding: name.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
                        Self.add(index, to: &groups[group, default: []])
                    }
                default:
                    continue  // ServiceAccount: never a browser user.
                }
            }
        }
        self.roles = compiledRoles
        self.grants = grants
        self.userGrants = users
        self.groupGrants = groups
        self.authenticatedGrants = authenticated
        self.problems = problems
    }

    /// The index key for a subject or request name: itself, or lower-cased when subjects are case-insensitive.
    /// Names without upper-case letters (the usual case) are returned as they are, without allocating.
    static func key(_ name: String, _ options: Options) -> String {
        guard options.caseInsensitiveSubjects else { return name }
        let needsFolding = name.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 }
        return needsFolding ? name.lowercased() : name
    }

    private static func add(_ index: Int, to list: inout [Int]) {
        // A binding naming the same subject twice is indexed once.
        if list.last != index { list.append(index) }
    }

    private static func compile(_ role: ClusterRole, v3: Bool, problems: inout [String]) -> Role {
        var rules: [Rule] = []
        for (number, rule) in role.rules.enumerated() where !rule.nonResourceURLs.isEmpty {
            var urls: [URLPattern] = []
            for entry in rule.nonResourceURLs {
                do throws(URLPattern.Failure) {
                    urls.append(try URLPattern.nonResourceURL(entry, v3: v3))
                } catch {
                    problems.append(
                        "ClusterRole \"\(role.name)\" rule \(number + 1): nonResourceURL \"\(entry)\" skipped: "
                            + error.message)
                }
            }
            let verbs = rule.verbs.map { $0.lowercased() }
            guard !urls.isEmpty, !verbs.isEmpty else { continue }
            rules.append(Rule(allVerbs: verbs.contains("*"), verbs: verbs, urls: urls))
        }
        return Role(name: role.name, rules: rules)
    }
}
