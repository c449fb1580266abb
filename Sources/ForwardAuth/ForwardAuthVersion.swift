/// The release, as `--version`, the start-up log line and (later) the build-info metric report it.
package enum ForwardAuthVersion {
    package static let current = "0.1.0"
}
