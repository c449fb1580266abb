/// What `Configuration.load(...)` found: something to print, or a configuration to run with.
package enum ConfigurationLoadResult: Sendable {
    /// `--help` / `-h`: the full option table, ready to print; exit 0.
    case help(String)
    /// `--version`: print the version; exit 0.
    case version
    /// Valid: run with it. Warnings (ignored or weak settings) should be logged once at start.
    case configuration(Configuration, warnings: [String])
    /// Not valid: every problem, one readable line each, in a stable order (command-line syntax, config file
    /// syntax, then each option's checks). Print them all and exit 2. No line holds a secret's value.
    case invalid(problems: [String])
}
