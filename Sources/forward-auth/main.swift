import ForwardAuth
import ForwardAuthServer
import Foundation
import Hummingbird
import Logging
import ForwardAuthConfiguration
import ForwardAuthOIDC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command: read the configuration once, refuse to start with every problem listed, else serve until
/// SIGTERM or SIGINT (graceful: in-flight requests finish).
let environment = ProcessInfo.processInfo.environment
let loaded = Configuration.load(
    arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
    readFile: { path in try String(contentsOfFile: path, encoding: .utf8) })

switch loaded {
case .help(let text):
    print(text)
    exit(0)
case .version:
    print("forward-auth \(ForwardAuthVersion.current)")
    exit(0)
case .invalid(let problems):
    FileHandle.standardError.write(Data("forward-auth: the configuration is not valid:\n".utf8))
    for problem in problems { FileHandle.standardError.write(Data("  - \(problem)\n".utf8)) }
    FileHandle.standardError.write(Data("Run with --help for every option.\n".utf8))
    exit(2)
case .configuration(let configuration, let warnings):
    let format = LineLogHandler.Format(rawValue: configuration.logFormat.rawValue) ?? .text
    let level = Logger.Level(configuration.logLevel)
    LoggingSystem.bootstrap(
        { label, provider in
            var handler = LineLogHandler(label: label, format: format, level: level)
            handler.metadataProvider = provider
            return handler
        }, metadataProvider: .traceID)
    let logger = Logger(label: "forward-auth")
    for warning in warnings { logger.warning("\(warning)") }
    let address = ListenAddress(host: configuration.listenAddress, port: configuration.port).description
    let metricsAddress = configuration.metricsAddress?.description ?? address
    logger.info(
        "starting",
        metadata: [
            "version": "\(ForwardAuthVersion.current)",
            "address": "\(address)", "proxy": "\(configuration.outboundProxy)",
            "metrics": "\(metricsAddress)/metrics",
            "provider": "\(configuration.issuer)", "rules": "\(configuration.rules.count)",
        ])
    // The service runs in a task while the main thread waits, rather than behind a top-level `await`: Swift's async
    // main gives the main thread to `dispatch_main`, which ends it with `pthread_exit`, and that unwinds the thread
    // through this binary's unwind tables, leaving 1 MiB of them resident for the life of the process
    // (docs/benchmarks.md, "Memory: a section per function"). Detached: top-level code is on the main actor, which
    // nothing runs once the main thread waits.
    let stopped = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            let app = try buildApplication(configuration: configuration, logger: logger)
            try await app.runService()
        } catch {
            logger.critical("stopped", metadata: ["error": "\(error)"])
            exit(1)
        }
        stopped.signal()
    }
    stopped.wait()
}
