/// The release, as `--version`, the start-up log line and the build-info metric report it; the chart's `version`
/// and `appVersion` (charts/forward-auth/Chart.yaml) are the same (check_chart.py holds them together).
package enum ForwardAuthVersion {
    package static let current = "3.4.0"
}
