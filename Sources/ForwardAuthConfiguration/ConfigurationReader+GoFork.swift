import ForwardAuthWire

extension ConfigurationReader {
    /// The claims cookie's name as the Go fork read it. v3.3.0 did not know the ini key `groups-session-name`
    /// (DKP's attached clusters write it), so its pods kept the claims under `claims-session-name` or the
    /// default whatever that key said: a swapped pod must look for the Go cookie there.
    func goClaimsCookieName() -> String {
        let name = "claims-session-name"
        var group = settings.entries(for: name)
        while let last = group.last {
            if let entry = group.last(where: { $0.origin.spelling.lowercased() != "groups-session-name" }) {
                return String(entry.value.trimmingWhitespace())
            }
            group = settings.entries(for: name, below: last.origin.source)
        }
        return defaultValue(name) ?? ""
    }
}
