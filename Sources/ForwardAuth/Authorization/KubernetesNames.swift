/// The user and group names Kubernetes reserves for itself, which no identity from the provider may take.
///
/// With impersonation the email becomes `Impersonate-User` and the prefixed groups `Impersonate-Group`, and RBAC
/// matches them as subjects: `system:masters`, `system:serviceaccount:…` or `system:node:…` would be the cluster's
/// own identities. Kubernetes also splits user names on `:` (`system:serviceaccount:ns:name`), so an email holding
/// one is refused as a whole.
public enum KubernetesNames {
    static let reserved = Array("system:".utf8)

    /// An email that must not become a Kubernetes user: it holds `:` (so also every `system:` name).
    public static func isReservedUser(_ email: String) -> Bool {
        email.utf8.contains(UInt8(ascii: ":"))
    }

    /// Whether `prefix` + `group` starts with `system:`, without building the string: such a group is dropped
    /// (`system:authenticated` is added by us, never taken from a token).
    public static func isReservedGroup(_ group: String, prefix: String) -> Bool {
        let prefixBytes = prefix.utf8
        if prefixBytes.count >= reserved.count { return prefixBytes.starts(with: reserved) }
        guard reserved.starts(with: prefixBytes) else { return false }
        return group.utf8.starts(with: reserved[prefixBytes.count...])
    }
}
