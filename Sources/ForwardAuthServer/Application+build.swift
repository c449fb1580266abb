import ForwardAuth
import ForwardAuthConfiguration
import ForwardAuthOIDC
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Assembles the service from a validated configuration: the one function the command and the tests call.
///
/// - Parameters:
///   - transport: how the OIDC client reaches the provider; nil builds our AsyncHTTPClient transport (with the
///     configured CA), which the application shuts down when it stops.
///   - clock: seconds since 1970, read once per request.
///   - random: the CSPRNG for states, nonces, verifiers, session ids and AES-GCM nonces.
///   - onServerRunning: called with the main listener's port once it listens (tests ask for port 0, and bind
///     it themselves: HummingbirdTesting's live mode would replace the address with `localhost`).
///   - onMetricsServerRunning: called with the port of the `metrics-address` listener once it listens (tests
///     ask for port 0).
package func buildApplication(
    configuration: Configuration,
    transport: (any HTTPTransport)? = nil,
    clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
    random: any RandomSource = SystemRandomSource(),
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
    onMetricsServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
    logger: Logger
) throws -> some ApplicationProtocol {
    var services: [any Service] = []
    let metrics = ForwardAuthMetrics(ruleNames: configuration.ruleSet.definitions.map(\.name))
    let providerTransport: any HTTPTransport
    if let transport {
        providerTransport = transport
    } else {
        let client = try AsyncHTTPClientTransport(
            caCertificateFile: configuration.caCertificateFile, proxy: configuration.outboundProxy)
        providerTransport = client
        services.append(ShutdownService { try await client.shutdown() })
    }
    let provider = OIDCClient(
        settings: OIDCClientSettings(configuration),
        transport: InstrumentedTransport(base: providerTransport, metrics: metrics.provider),
        observer: metrics.provider)
    services.append(
        ProviderLoaderService(
            load: { try await provider.load(now: Date()) },
            logger: logger))
    let rbacStore = RBACPolicyStore(settings: RBACSettings(configuration))
    let metricsPage = MetricsPage(
        registry: metrics.registry,
        state: StateGauges(
            factory: ForwardAuthMetrics.factory(registry: metrics.registry), provider: provider,
            rbacStore: configuration.enableRBAC ? rbacStore : nil))
    if let address = configuration.metricsAddress {
        services.append(
            Application(
                responder: MetricsResponder(page: metricsPage),
                configuration: ApplicationConfiguration(
                    address: .hostname(
                        WildcardListener.resolve(address.host, port: address.port, logger: logger), port: address.port),
                    serverName: nil),
                onServerRunning: { channel in await onMetricsServerRunning(channel.localAddress?.port ?? 0) },
                logger: logger))
    }

    var serviceAccountToken: ServiceAccountToken?
    if configuration.enableImpersonation {
        let token = ServiceAccountToken()
        services.append(
            ServiceAccountTokenReader(path: configuration.serviceAccountTokenPath, token: token, logger: logger))
        serviceAccountToken = token
    }
    services += try rbacServices(configuration: configuration, store: rbacStore, logger: logger)
    let gatekeeper = Gatekeeper(configuration, rbacStore: rbacStore, serviceAccountToken: serviceAccountToken)
    for problem in gatekeeper.rbac?.problems ?? [] { logger.warning("\(problem)") }
    let engine = DecisionEngine(
        loginFlow: LoginFlow(configuration, gatekeeper: gatekeeper, provider: provider),
        trustForwardedPrefix: configuration.trustForwardedPrefix, random: random, logger: logger)
    let endpoints = Endpoints(engine: engine, clock: clock, logger: logger, metrics: metrics)
    let sweeper = ConnectionSweeper(
        idleTimeout: .seconds(Int64(configuration.idleTimeout)),
        readHeaderTimeout: .seconds(Int64(configuration.readHeaderTimeout)))
    services.append(sweeper)
    let responder = ForwardAuthResponder(
        endpoints: endpoints, providerStatus: provider,
        metricsPage: configuration.metricsAddress == nil ? metricsPage : nil,
        bodyTimeout: .seconds(configuration.readHeaderTimeout))
    return Application(
        responder: responder,
        server: .http1(checkingWith: endpoints, sweeper: sweeper),
        configuration: ApplicationConfiguration(
            address: .hostname(
                WildcardListener.resolve(configuration.listenAddress, port: configuration.port, logger: logger),
                port: configuration.port),
            serverName: nil),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

extension OIDCClient: ProviderStatusSource {
    package func providerStatus() async -> (ready: Bool, detail: String) {
        let status = self.status
        let ready = status.metadataLoaded && status.keysLoaded
        var detail = ready ? "discovery and \(status.keyCount) signing key(s) loaded" : "not loaded"
        if let error = status.lastError { detail += "; last error: \(error)" }
        return (ready, detail)
    }
}

/// Runs until the service group shuts down, then performs `action` (closing our HTTP client).
struct ShutdownService: Service {
    let action: @Sendable () async throws -> Void

    func run() async throws {
        try? await gracefulShutdown()
        try await action()
    }
}
