import ForwardAuthOIDC

/// One rule of a ClusterRole (`rbac.authorization.k8s.io/v1` `PolicyRule`).
///
/// Only `verbs` and `nonResourceURLs` matter for forward-auth: a rule naming only `resources`/`apiGroups`
/// grants nothing here. Absent lists decode as empty, as the API server may omit them.
package struct PolicyRule: Codable, Sendable, Hashable {
    package var verbs: [String]
    package var nonResourceURLs: [String]
    package var apiGroups: [String]
    package var resources: [String]
    package var resourceNames: [String]

    package init(
        verbs: [String], nonResourceURLs: [String] = [], apiGroups: [String] = [], resources: [String] = [],
        resourceNames: [String] = []
    ) {
        self.verbs = verbs
        self.nonResourceURLs = nonResourceURLs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
    }

    private enum CodingKeys: String, CodingKey {
        case verbs, nonResourceURLs, apiGroups, resources, resourceNames
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verbs = try container.decodeIfPresent([String].self, forKey: .verbs) ?? []
        nonResourceURLs = try container.decodeIfPresent([String].self, forKey: .nonResourceURLs) ?? []
        apiGroups = try container.decodeIfPresent([String].self, forKey: .apiGroups) ?? []
        resources = try container.decodeIfPresent([String].self, forKey: .resources) ?? []
        resourceNames = try container.decodeIfPresent([String].self, forKey: .resourceNames) ?? []
    }
}
