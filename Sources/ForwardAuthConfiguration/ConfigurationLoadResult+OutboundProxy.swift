extension ConfigurationLoadResult {
    /// The result with the outbound proxy read from `environment` (`OutboundProxy.fromEnvironment`): set on a
    /// valid configuration, its warnings added; its problems listed after the others (and a valid configuration
    /// with a bad proxy becomes invalid). `--help` and `--version` pass unchanged.
    ///
    /// Kept apart from the option table (the proxy variables are not options: no flag, no ini key, Go's names
    /// and Go's precedence); `Configuration.load` calls it on its result.
    package func addingOutboundProxy(environment: [String: String]) -> ConfigurationLoadResult {
        let reading = OutboundProxy.fromEnvironment(environment)
        switch self {
        case .help, .version:
            return self
        case .invalid(let problems):
            return .invalid(problems: problems + reading.problems)
        case .configuration(var configuration, let warnings):
            guard reading.problems.isEmpty else { return .invalid(problems: reading.problems) }
            configuration.outboundProxy = reading.proxy
            return .configuration(configuration, warnings: warnings + reading.warnings)
        }
    }
}
