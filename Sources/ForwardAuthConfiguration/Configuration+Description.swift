import ForwardAuth
import Foundation

extension Configuration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The effective settings as `name = value` lines, for a start-up log, in table order, then the rules. Secrets
    /// show as `<redacted>`.
    package var description: String {
        func list(_ items: [String]) -> String { items.joined(separator: ",") }
        var pairs = OptionDeclaration.all.compactMap { declaration in
            declaration.printed.map { (declaration.option.name, $0(self)) }
        }
        for rule in rules {
            pairs.append(("rule.\(rule.name).action", rule.action.rawValue))
            pairs.append(("rule.\(rule.name).rule", rule.rule))
            if !rule.whitelist.isEmpty { pairs.append(("rule.\(rule.name).whitelist", list(rule.whitelist))) }
            if !rule.domains.isEmpty { pairs.append(("rule.\(rule.name).domains", list(rule.domains))) }
            if !rule.groups.isEmpty { pairs.append(("rule.\(rule.name).groups", list(rule.groups))) }
        }
        // Not an option (Go's environment variables); shown when set, credentials as `***@`.
        if outboundProxy != .direct { pairs.append(("outbound-proxy", outboundProxy.description)) }
        return pairs.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")
    }

    package var debugDescription: String { "Configuration(\n\(description)\n)" }
}
