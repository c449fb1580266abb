import Testing

@testable import ForwardAuthConfiguration
@testable import ForwardAuthOIDC

@Suite("Configuration: metrics-address")
struct MetricsAddressTests {
    typealias Input = ConfigurationInput

    @Test func unsetMeansMetricsOnTheMainPort() throws {
        let (configuration, _) = try Input.valid()
        #expect(configuration.metricsAddress == nil)
    }

    @Test(arguments: [
        ("0.0.0.0:9090", "0.0.0.0", 9090), ("127.0.0.1:9464", "127.0.0.1", 9464), ("[::]:9090", "::", 9090),
        ("Metrics.Local:8080", "metrics.local", 8080),
    ])
    func parsesHostAndPort(text: String, host: String, port: Int) throws {
        let (configuration, _) = try Input.valid(environment: Input.environment(["METRICS_ADDRESS": text]))
        #expect(configuration.metricsAddress == ListenAddress(host: host, port: port))
        #expect(
            configuration.description.contains("metrics-address = \(configuration.metricsAddress?.description ?? "-")"))
    }

    @Test func flagWinsOverTheEnvironment() throws {
        let (configuration, _) = try Input.valid(
            ["--metrics-address", "127.0.0.1:9100"], environment: Input.environment(["METRICS_ADDRESS": "0.0.0.0:9090"])
        )
        #expect(configuration.metricsAddress == ListenAddress(host: "127.0.0.1", port: 9100))
    }

    @Test(arguments: ["9090", "0.0.0.0", "0.0.0.0:0", "0.0.0.0:70000", "http://0.0.0.0:9090", "a b:9090", ":9090"])
    func refusesWhatIsNotHostAndPort(text: String) {
        let problems = Input.problems(environment: Input.environment(["METRICS_ADDRESS": text]))
        #expect(problems == ["METRICS_ADDRESS: \"\(text)\" is not host:port (e.g. 0.0.0.0:9090)"])
    }

    @Test(arguments: [
        ("0.0.0.0:4181", nil), ("127.0.0.1:4181", nil), ("127.0.0.1:8000", "8000"),
    ])
    func refusesTheMainListenersPort(text: String, port: String?) {
        var changes = ["METRICS_ADDRESS": text]
        if let port { changes["PORT"] = port }
        let problems = Input.problems(environment: Input.environment(changes))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("is the port forward-auth already listens on") == true)
    }

    @Test func anotherHostOnTheSamePortIsFine() throws {
        let (configuration, _) = try Input.valid(
            environment: Input.environment(["LISTEN_ADDRESS": "10.0.0.1", "METRICS_ADDRESS": "127.0.0.1:4181"]))
        #expect(configuration.metricsAddress == ListenAddress(host: "127.0.0.1", port: 4181))
    }
}
