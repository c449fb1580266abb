import ForwardAuthOIDC

/// A Kubernetes ClusterRole (`rbac.authorization.k8s.io/v1`), as listed, watched or read from `--rbac-file`.
///
/// `aggregationRule` is ignored: forward-auth does not aggregate roles itself. In a cluster this loses nothing,
/// because the API server's controller writes the aggregated rules into the role's own `rules`, which we read;
/// in an `--rbac-file`, write the rules out.
package struct ClusterRole: Codable, Sendable, Hashable {
    package var metadata: RBACObjectMeta
    package var rules: [PolicyRule]

    package var name: String { metadata.name }

    package init(name: String, rules: [PolicyRule], resourceVersion: String? = nil) {
        self.metadata = RBACObjectMeta(name: name, resourceVersion: resourceVersion)
        self.rules = rules
    }

    private enum CodingKeys: String, CodingKey {
        case metadata, rules
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(RBACObjectMeta.self, forKey: .metadata)
        // The API server omits `rules` (JSON null) for an aggregated role not yet filled in.
        rules = try container.decodeIfPresent([PolicyRule].self, forKey: .rules) ?? []
    }
}
