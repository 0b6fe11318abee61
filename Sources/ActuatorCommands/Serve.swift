import Actuator
import ActuatorAPI
import Foundation
import Hummingbird
import Hypervisor
import Logging
import Prometheus
import ServiceLifecycle
import TOMLKit

/// The decision loop as a service: one cycle per interval until a graceful shutdown (SIGTERM,
/// SIGINT). A cycle in progress — activations included — runs to its end; only the wait between
/// cycles is cut short.
struct DecisionLoop: Service {
    let runtime: ActuatorRuntime
    let interval: Int64
    let cycles: Int?
    let logger: Logger

    func run() async throws {
        var n = 0
        while !Task.isShuttingDownGracefully, cycles.map({ n < $0 }) ?? true {
            let report = await runtime.cycle()
            n += 1
            logger.info("cycle", metadata: [
                "groups": "\(report.decisions.count)", "activations": "\(report.activations.count)",
                "created": "\(report.reconcile.created.count)", "removed": "\(report.reconcile.removed.count + report.retired.count)",
                "problems": "\(report.problems.count)", "decision_ms": "\(String(format: "%.2f", report.decisionSeconds * 1000))",
            ])
            for p in report.problems { logger.warning("\(p)") }
            if cycles.map({ n >= $0 }) ?? false { break }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
        logger.info("decision loop stopped", metadata: ["cycles": "\(n)"])
    }
}

/// The `[api]` table of the configuration file, if any.
func loadAPIConfiguration(path: String) throws -> APIConfiguration? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    let root = try TOMLTable(string: text)
    guard let table = root["api"]?.table else { return nil }
    do {
        return try TOMLDecoder().decode(APIConfiguration.self, from: table)
    } catch {
        throw APIConfigurationError("\(path): [api]: \(error)")
    }
}

/// Runs the actuator live: the decision loop and, when configured or `--listen` is given, the
/// HTTP API, in one service group that shuts down gracefully on SIGTERM/SIGINT.
func serve(configuration: ActuatorConfiguration, configPath: String, listen: String?, dryRun: Bool, cycles: Int?,
           connect: @escaping @Sendable (HostConfig) throws -> any Hypervisor) async throws {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = ProcessInfo.processInfo.environment["PSM_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        return handler
    }
    let logger = Logger(label: "psm-actuator")
    var api = try loadAPIConfiguration(path: configPath)
    if let listen {
        if api == nil { api = APIConfiguration() }
        try api?.setListen(listen)
    }
    api?.addTokens(fromEnvironment: ProcessInfo.processInfo.environment)
    let registry = PrometheusCollectorRegistry()
    if api != nil { ActuatorAPI.bootstrapMetrics(registry: registry) }
    let runtime = try await ActuatorRuntime(configuration: configuration, dryRun: dryRun, metrics: ActuatorMetrics(),
                                            connect: connect)
    for (host, problem) in await runtime.hostProblems { logger.error("host \(host): \(problem)") }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: DecisionLoop(runtime: runtime, interval: configuration.interval, cycles: cycles, logger: logger),
              successTerminationBehavior: .gracefullyShutdownGroup),
    ]
    if let api {
        let app = try ActuatorAPI.makeApplication(control: runtime, configuration: api, registry: registry, logger: logger)
        services.append(.init(service: app))
        logger.info("API listening", metadata: ["address": "\(api.host):\(api.port)"])
    }
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                  logger: logger))
    try await group.run()
}
