import ForwardAuthWire

extension Configuration {
    /// Reads the configuration from command-line arguments, the environment and ini files, with the Go fork's
    /// precedence (go-flags): environment variables are defaults for what nothing else sets; flags win over
    /// them, and a file named by `--config` counts where that flag stands (a later flag wins over it); a file
    /// named by the `CONFIG` environment variable is read last and wins over all (`--config` on the command line
    /// replaces it).
    ///
    /// Pure: it reads nothing but its inputs (`readFile` is called for config files and `*-file` secrets), so
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
        var configFile: String?
        /// The file's entries; none (and a problem) when it cannot be read.
        func entries(ofFileNamedBy entry: RawEntry, as source: SettingOrigin.Source) -> [RawEntry] {
            let path = String(entry.value.trimmingWhitespace())
            guard !path.isEmpty else { return [] }
            configFile = path
            do {
                let file = IniFileParser(try readFile(path), path: path, source: source)
                problems += file.problems
                warnings += file.warnings
                return file.entries
            } catch {
                problems.append("\(entry.origin): cannot read \(path): \(error)")
                return []
            }
        }

        var commandLineEntries: [RawEntry] = []
        for entry in commandLine.entries {
            commandLineEntries.append(entry)
            if entry.key == .option("config") {
                commandLineEntries += entries(ofFileNamedBy: entry, as: .commandLine)
            }
        }
        var lastEntries: [RawEntry] = []
        if configFile == nil, let entry = environmentValues.entries.last(where: { $0.key == .option("config") }) {
            lastEntries = entries(ofFileNamedBy: entry, as: .environmentConfigFile)
        }

        // withoutActuallyEscaping: the reader lives only for this call, and `load` stays non-escaping for callers.
        let result = withoutActuallyEscaping(readFile) { readFile -> ConfigurationLoadResult in
            var reader = ConfigurationReader(
                settings: RawSettings(environmentValues.entries + commandLineEntries + lastEntries),
                readFile: readFile)
            let configuration = build(
                from: &reader, configFile: configFile,
                inCluster: environment["KUBERNETES_SERVICE_HOST"].map { !$0.isEmpty } ?? false)
            problems += reader.problems
            warnings += reader.warnings
            guard problems.isEmpty, let configuration else { return .invalid(problems: problems) }
            return .configuration(configuration, warnings: warnings)
        }
        // Not options (no flag, no ini key): Go's names and precedence (`OutboundProxy.fromEnvironment`).
        return result.addingOutboundProxy(environment: environment)
    }
}
