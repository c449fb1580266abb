/// The user and group names Kubernetes reserves for itself, which no identity from the provider may take.
///
/// With impersonation the email becomes `Impersonate-User` and the prefixed groups `Impersonate-Group`, and RBAC
/// matches them as subjects: `system:masters`, `system:serviceaccount:…` or `system:node:…` would be the cluster's
/// own identities. Kubernetes also splits user names on `:` (`system:serviceaccount:ns:name`), so an email holding
/// one is refused as a whole.
package enum KubernetesNames {
    static let reserved = Array("system:".utf8)

    /// An email that must not become a Kubernetes user: it holds `:` (so also every `system:` name).
    package static func isReservedUser(_ email: String) -> Bool {
        email.utf8.contains(UInt8(ascii: ":"))
    }

    /// Whether `prefix` + `group` starts with `system:` once leading blanks are dropped (an HTTP header value
    /// loses them, so ` system:masters` arrives as `system:masters`), or holds a `,` (which a proxy or a reader
    /// that joins or splits repeated fields would read as two groups). Such a group is dropped; `system:authenticated`
    /// is added by us, never taken from a token. No string is built.
    package static func isReservedGroup(_ group: String, prefix: String) -> Bool {
        if group.utf8.contains(UInt8(ascii: ",")) || prefix.utf8.contains(UInt8(ascii: ",")) { return true }
        var matched = 0
        var leading = true
        /// Feeds the next bytes of `prefix` + `group`: true or false once decided, nil while still undecided.
        func feed(_ bytes: String.UTF8View) -> Bool? {
            for byte in bytes where !(leading && (byte == 0x20 || byte == 0x09)) {
                leading = false
                guard byte == reserved[matched] else { return false }
                matched += 1
                if matched == reserved.count { return true }
            }
            return nil
        }
        return feed(prefix.utf8) ?? feed(group.utf8) ?? false
    }
}
