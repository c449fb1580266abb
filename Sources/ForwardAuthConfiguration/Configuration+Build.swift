import Foundation

extension Configuration {
    /// Reads and validates every option from `reader`; nil when any problem was found (they are in `reader`).
    ///
    /// Every option is read before deciding, so one run reports every problem, in table order
    /// (`OptionDeclaration.all`), then the rules', then those across options (`checkAcrossOptions`).
    ///
    /// `inCluster`: the process runs in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set), so RBAC can read the API.
    static func build(from reader: inout ConfigurationReader, configFile: String?, inCluster: Bool) -> Configuration? {
        // Every field at its default; returned only when no problem was found, i.e. the required ones were read.
        var configuration = Configuration.defaults
        configuration.configFile = configFile
        for declaration in OptionDeclaration.all { declaration.apply(&reader, &configuration) }
        configuration.goClaimsCookieName = reader.goClaimsCookieName()
        if let (definitions, compiled) = reader.rules() {
            configuration.rules = definitions
            configuration.ruleSet = compiled
        }
        configuration.checkAcrossOptions(&reader, inCluster: inCluster)
        return reader.problems.isEmpty ? configuration : nil
    }
}
