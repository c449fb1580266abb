/// `groups-filter`: which of a user's groups a session keeps.
///
/// Browsers send every cookie in one `Cookie` header and proxies refuse headers over about 8 KB (nginx's
/// `large_client_header_buffers`), so a user in hundreds of groups cannot keep them all. The filter runs at login:
/// - unset: every group is kept (they spill into the claims cookies when large);
/// - `auto`: only groups something here can use: `allowed-groups`, any `rule.NAME.groups`, and, with RBAC, the
///   Group subjects of the ClusterRoleBindings loaded at login time (a binding added later counts from the
///   user's next login);
/// - any other value: a Go RE2 regular expression that the whole group name must match.
/// Dropping groups never grants more: no list here denies by group.
package struct GroupsFilter: Sendable {
    enum Mode: Sendable {
        case keepAll
        case matching(BoundedRegex)
        case used(Set<String>, rbac: RBACAuthorizer?)
    }

    let mode: Mode

    package static let keepAll = GroupsFilter(mode: .keepAll)

    /// The groups `allowed-groups`, rules and RBAC bindings name.
    package static func used(by names: some Sequence<String>, rbac: RBACAuthorizer?) -> GroupsFilter {
        GroupsFilter(mode: .used(Set(names), rbac: rbac))
    }

    /// Longest group name the pattern is tried on; longer names are dropped.
    static let maximumGroupLength = 1024

    /// A filter keeping the groups whose whole name matches `pattern` (Go RE2 syntax).
    package init(pattern: String) throws(GroupsFilterError) {
        let translation: RE2Translator.Translation
        do {
            translation = try RE2Translator.translate(pattern)
        } catch {
            throw GroupsFilterError(message: "\(error.message) at byte \(error.offset)")
        }
        guard
            let regex = BoundedRegex(
                icuPattern: "(?:" + translation.pattern + ")\\z", anchored: true,
                maximumInputLength: Self.maximumGroupLength)
        else { throw GroupsFilterError(message: "the regular expression engine refused it") }
        self.init(mode: .matching(regex))
    }

    init(mode: Mode) { self.mode = mode }

    package func apply(_ groups: [String]) -> [String] {
        switch mode {
        case .keepAll:
            return groups
        case .matching(let regex):
            return groups.filter(regex.matches)
        case .used(let names, let rbac):
            guard let rbac else { return groups.filter(names.contains) }
            let bound = rbac.boundGroups()
            if rbac.settings.caseInsensitiveSubjects {
                let lowered = Set(names.map { $0.lowercased() })
                return groups.filter { lowered.contains($0.lowercased()) || bound.contains($0.lowercased()) }
            }
            return groups.filter { names.contains($0) || bound.contains($0) }
        }
    }
}

/// Why `groups-filter` was refused at start-up.
package struct GroupsFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
