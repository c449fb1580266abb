@testable import ForwardAuthOIDC

/// The samples of a Prometheus text exposition, for assertions: `value("name", ["label": "value"])`.
///
/// Parses what swift-prometheus emits (`name{a="x",b="y"} 1` and `name 1`; no escapes in our label values);
/// a line it cannot read is kept in `unreadable`, so a test can insist there are none.
struct PrometheusSamples {
    struct Key: Hashable {
        var name: String
        var labels: [String: String]
    }

    private(set) var samples: [Key: Double] = [:]
    /// `# TYPE` lines: metric name → type.
    private(set) var types: [String: String] = [:]
    private(set) var unreadable: [String] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 {
                    types[String(parts[2])] = String(parts[3])
                } else {
                    unreadable.append(String(line))
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                unreadable.append(String(line))
                continue
            }
            let series = line[..<space]
            guard let open = series.firstIndex(of: "{") else {
                samples[Key(name: String(series), labels: [:])] = value
                continue
            }
            guard series.hasSuffix("}") else {
                unreadable.append(String(line))
                continue
            }
            var labels: [String: String] = [:]
            let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
            for pair in body.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\""), parts[1].count >= 2 else {
                    unreadable.append(String(line))
                    continue
                }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            samples[Key(name: String(series[..<open]), labels: labels)] = value
        }
    }

    /// The sample's value; nil when the series is absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples[Key(name: name, labels: labels)]
    }

    /// The sum over every series of `name` whose labels include `labels`.
    func sum(_ name: String, where labels: [String: String] = [:]) -> Double {
        samples.filter { key, _ in key.name == name && labels.allSatisfy { key.labels[$0.key] == $0.value } }
            .values.reduce(0, +)
    }
}
