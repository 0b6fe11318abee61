import Actuator
import ActuatorAPI
import Foundation
import Hummingbird
import Hypervisor
import Logging
import MetricStore
import Prometheus
import ServiceLifecycle

/// The decision loop as a service: one cycle per interval until a graceful shutdown (SIGTERM,
/// SIGINT) or until its task is cancelled (the service group cancels every service when another
/// one fails, e.g. the API cannot bind). A cycle in progress — activations included — runs to its
/// end; only the wait between cycles is cut short.
struct DecisionLoop: Service {
    let runtime: ActuatorRuntime
    let interval: Int64
    let cycles: Int?
    let logger: Logger

    func run() async throws {
        var n = 0
        var lastStart: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully, !Task.isCancelled, cycles.map({ n < $0 }) ?? true {
            let start = ContinuousClock.now
            let report = await runtime.cycle()
            n += 1
            // Wall time and start-to-start: a cycle starved by API traffic shows here, not in decision_ms.
            var metadata: Logger.Metadata = [
                "groups": "\(report.decisions.count)", "activations": "\(report.activations.count)",
                "created": "\(report.reconcile.created.count)", "removed": "\(report.reconcile.removed.count + report.retired.count)",
                "problems": "\(report.problems.count)", "decision_ms": "\(String(format: "%.2f", report.decisionSeconds * 1000))",
                "wall_ms": "\(Self.milliseconds(ContinuousClock.now - start))",
            ]
            // Where the wall time went: "hosts=12.1 score=40.2 …" in the order the steps ran.
            metadata["phase_ms"] = "\(report.phases.map { "\($0.name)=\(String(format: "%.1f", $0.seconds * 1000))" }.joined(separator: " "))"
            if let lastStart { metadata["since_last_ms"] = "\(Self.milliseconds(start - lastStart))" }
            let commits = runtime.noticeCommits
            if commits.commits > 0 {
                metadata["notices"] = "\(commits.events)"
                metadata["notice_commits"] = "\(commits.commits)"
                metadata["notice_commit_ms"] = "\(String(format: "%.2f", commits.commitSeconds * 1000 / Double(commits.commits)))"
                if commits.failedCommits > 0 { metadata["notice_commits_failed"] = "\(commits.failedCommits)" }
            }
            let reads = runtime.forecastReads
            if reads.cached + reads.computed > 0 {
                metadata["forecast_reads"] = "\(reads.cached + reads.computed)"
                metadata["forecasts_computed"] = "\(reads.computed)"
            }
            lastStart = start
            logger.info("cycle", metadata: metadata)
            for p in report.problems { logger.warning("\(p)") }
            for note in report.notes { logger.info("\(note)") }
            if cycles.map({ n >= $0 }) ?? false { break }
            // The sleep ends early on a graceful shutdown or a cancellation; either ends the loop
            // at the check above, so the error itself carries nothing more.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) } } catch {}
        }
        logger.info("decision loop stopped", metadata: ["cycles": "\(n)"])
    }

    static func milliseconds(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15)
    }
}

/// The `[api]` table of the configuration file, if any. Every problem is thrown, naming the file,
/// `[api]` and the key: an unreadable file, a syntax error, an unknown key, a value out of range.
func loadAPIConfiguration(path: String) throws -> APIConfiguration? {
    try APIConfiguration.load(path: path)
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
    let router = try configuration.routing.makeRouter()
    logger.info("routing", metadata: ["router": "\(router.name)"])
    let runtime = try await ActuatorRuntime(configuration: configuration, router: router, dryRun: dryRun,
                                            metrics: ActuatorMetrics(), store: try configuration.openStore(), connect: connect)
    for (host, problem) in await runtime.hostProblems { logger.error("host \(host): \(problem)") }
    for route in (try? runtime.store.routes(states: [.failed])) ?? [] {
        logger.warning("routing of \(route.server) (group \(route.group)) failed; retried each cycle: \(route.error ?? "")")
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: DecisionLoop(runtime: runtime, interval: configuration.interval, cycles: cycles, logger: logger),
              successTerminationBehavior: .gracefullyShutdownGroup),
    ]
    // Collecting changes no domain, and a dry run needs live demand to decide on as much as a real one.
    let collector = Collector(settings: configuration.collect, groups: configuration.groups, hypervisors: runtime.hypervisors,
                              store: runtime.store, modelInterval: configuration.interval)
    let scraper = configuration.scrape.isEmpty ? nil
        : Scraper(targets: configuration.scrape, settings: configuration.collect, store: runtime.store, modelInterval: configuration.interval)
    services.append(.init(service: CollectorLoop(collector: collector, scraper: scraper, runtime: runtime,
                                                 interval: configuration.collect.interval, logger: logger)))
    if let keeper = runtime.leaseKeeper {
        logger.info("leases: actuator \(keeper.owner), lease \(keeper.seconds) s, on \(runtime.store.location)")
        services.append(.init(service: LeaseLoop(keeper: keeper, logger: logger)))
    }
    if let api {
        let app = try ActuatorAPI.makeApplication(control: runtime, configuration: api, registry: registry, logger: logger)
        services.append(.init(service: APIService(app: app, address: "\(api.host):\(api.port)")))
    }
    // Any service that ends with an error (the default failure behaviour) cancels the group, and
    // `run()` rethrows that error: the process exits non-zero with it.
    // SIGTERM/SIGINT come from TerminationSignals (a sigwait thread), not from the service group's
    // libdispatch signal sources, which can lose them (TerminationSignals explains).
    let group = ServiceGroup(configuration: .init(services: services, logger: logger))
    try await TerminationSignals.handling({ signal in
        logger.info("signal \(signal): stopping gracefully (a second one stops at once)")
        Task { await group.triggerGracefulShutdown() }
    }) {
        try await group.run()
    }
    // Stopped gracefully (every service, the cycle included, has ended): the groups go to the
    // other actuators at their next pass instead of after the lease period.
    runtime.leaseKeeper?.releaseAll()
}

/// The HTTP API as a service whose failure names the address: a port already taken or an address
/// the machine lacks ends the whole service group (the decision loop included) with this error.
struct APIService<App: ApplicationProtocol>: Service {
    let app: App
    let address: String

    func run() async throws {
        do {
            try await app.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw APIServiceError(address: address, cause: error)
        }
    }
}

/// The API could not serve (most often: it could not bind its address).
struct APIServiceError: Error, CustomStringConvertible {
    let address: String
    let cause: any Error
    var description: String { "the API cannot serve on \(address): \(cause)" }
}
