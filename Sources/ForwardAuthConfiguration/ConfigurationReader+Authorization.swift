import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire

/// The checks of the options that shape identity headers and the groups a session keeps.
extension ConfigurationReader {
    /// `claim-header HEADER=claim` items: a valid header name, a claim name, no header given twice and none
    /// that `email-header-names` already sends.
    mutating func claimHeaders(reserved: [String]) -> [IdentityHeaders.ClaimHeader] {
        let (items, entries) = list("claim-header")
        let source = naming("claim-header", entries.last)
        var mappings: [IdentityHeaders.ClaimHeader] = []
        for item in items {
            guard let equals = item.firstIndex(of: "=") else {
                problem("\(source): \"\(item)\" is not HEADER=claim")
                continue
            }
            let header = String(item[..<equals].trimmingWhitespace())
            let claim = String(item[item.index(after: equals)...].trimmingWhitespace())
            guard ValueSyntax.isToken(header), !claim.isEmpty else {
                problem("\(source): \"\(item)\" is not HEADER=claim (a valid header name, then a claim name)")
                continue
            }
            let lowered = header.lowercased()
            if reserved.contains(where: { $0.lowercased() == lowered })
                || mappings.contains(where: { $0.header.lowercased() == lowered })
            {
                problem("\(source): header \(header) is given twice")
                continue
            }
            mappings.append(IdentityHeaders.ClaimHeader(header: header, claim: claim))
        }
        return mappings
    }

    /// `groups-filter`: `auto` or a Go RE2 regex, compiled now so a bad one stops the start.
    mutating func groupsFilter() -> String? {
        guard let (value, entry) = optionalString("groups-filter") else { return nil }
        if value.lowercased() == "auto" { return "auto" }
        do {
            _ = try GroupsFilter(pattern: value)
        } catch {
            problem("\(naming("groups-filter", entry)): \"\(value)\" is not a usable regular expression: \(error)")
        }
        return value
    }
}
