/// The Go fork's in-cluster claims storage (`enable-in-cluster-storage`, `cluster-store-namespace`,
/// `cluster-store-cache-ttl`).
///
/// Accepted so existing chart values keep working, but not implemented: sessions always live in sealed cookies.
/// Loading warns when `enabled` is set.
package struct ClusterStorageSettings: Sendable, Hashable {
    package var enabled: Bool
    package var namespace: String
    /// Seconds.
    package var cacheTTL: Int

    package init(enabled: Bool = false, namespace: String = "default", cacheTTL: Int = 60) {
        self.enabled = enabled
        self.namespace = namespace
        self.cacheTTL = cacheTTL
    }
}
