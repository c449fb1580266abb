/// One rule of a ClusterRole (`rbac.authorization.k8s.io/v1` `PolicyRule`).
///
/// Only `verbs` and `nonResourceURLs` matter for forward-auth: a rule naming only `resources`/`apiGroups`
/// grants nothing here. Absent lists decode as empty, as the API server may omit them.
public struct PolicyRule: Codable, Sendable, Hashable {
    public var verbs: [String]
    public var nonResourceURLs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]

    public init(
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

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verbs = try container.decodeIfPresent([String].self, forKey: .verbs) ?? []
        nonResourceURLs = try container.decodeIfPresent([String].self, forKey: .nonResourceURLs) ?? []
        apiGroups = try container.decodeIfPresent([String].self, forKey: .apiGroups) ?? []
        resources = try container.decodeIfPresent([String].self, forKey: .resources) ?? []
        resourceNames = try container.decodeIfPresent([String].self, forKey: .resourceNames) ?? []
    }
}
