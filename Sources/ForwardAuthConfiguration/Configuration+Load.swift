import ForwardAuthWire

extension Configuration {
    /// Reads the configuration from command-line arguments, the environment and the ini file named by
    /// `--config` / `CONFIG`, with the precedence flags > environment > file.
    ///
    /// Pure: it reads nothing but its inputs (`readFile` is called for the config file and `*-file` secrets), so
    /// tests pass fakes. Every problem is collected before answering.
    /// - Parameters:
    ///   - arguments: the command-line arguments WITHOUT the executable's name (`CommandLine.arguments.dropFirst()`).
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    ///   - readFile: reads a whole text file by path; throws when it cannot.
    package static func load(
        arguments: [String], environment: [String: String], readFile: (String) throws -> String
    ) -> ConfigurationLoadResult {
        let commandLine = CommandLineParser(arguments)
        if commandLine.wantsHelp { return .help(helpText()) }
        if commandLine.wantsVersion { return .version }
        let environmentValues = EnvironmentReader(environment)

        var problems = commandLine.problems
        var warnings = environmentValues.warnings
        var fileEntries: [RawEntry] = []
        let configEntry =
            commandLine.entries.last { $0.key == .option("config") }
            ?? environmentValues.entries.last { $0.key == .option("config") }
        let configFile = configEntry.map { String($0.value.trimmingWhitespace()) }.flatMap { $0.isEmpty ? nil : $0 }
        if let configEntry, let configFile {
            do {
                let file = IniFileParser(try readFile(configFile), path: configFile)
                fileEntries = file.entries
                problems += file.problems
                warnings += file.warnings
            } catch {
                problems.append("\(configEntry.origin): cannot read \(configFile): \(error)")
            }
        }

        // withoutActuallyEscaping: the reader lives only for this call, and `load` stays non-escaping for callers.
        return withoutActuallyEscaping(readFile) { readFile in
            var reader = ConfigurationReader(
                settings: RawSettings(fileEntries + environmentValues.entries + commandLine.entries), readFile: readFile
            )
            let configuration = build(
                from: &reader, configFile: configFile,
                inCluster: environment["KUBERNETES_SERVICE_HOST"].map { !$0.isEmpty } ?? false)
            problems += reader.problems
            warnings += reader.warnings
            guard problems.isEmpty, let configuration else { return .invalid(problems: problems) }
            return .configuration(configuration, warnings: warnings)
        }
    }
}
