// Serves the actuator API over the stand-in control (APITestSupport.StandInControl) for the fuzz
// and load scripts (bench/api-fuzz.sh, bench/api-load.sh). Not the actuator: `psm-actuator`
// serves the same API over the real runtime.
import APITestSupport
import Actuator
import ActuatorAPI
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MetricStore
import Prometheus

@main
struct APITestServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psm-api-testserver",
        abstract: "Serve the actuator HTTP API over a stand-in control (for API fuzzing and load tests).")

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen = "127.0.0.1:8080"

    @Option(help: "Groups the stand-in manages, comma-separated.")
    var groups = "web,batch,api"

    @Option(help: "Ready shadows per group at start.")
    var shadowsPerGroup = 50

    @Option(help: "Metric store file (default: in memory).")
    var db: String?

    @Option(help: "Durability of a file store: process (synchronous=NORMAL) or power-loss (an fsync per commit).")
    var durability = "process"

    @Option(help: "Sustained writes per second per token.")
    var writeRate: Double = 50

    @Option(help: "Write burst per token.")
    var writeBurst = 100

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes = 65536

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel = "info"

    func run() async throws {
        var configuration = APIConfiguration(maxBodyBytes: maxBodyBytes, writeRatePerSecond: writeRate,
                                             writeBurst: writeBurst)
        try configuration.setListen(listen)
        configuration.addTokens(fromEnvironment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "psm-api-testserver")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        guard let level = ["process": MetricStore.Durability.process, "power-loss": .powerLoss][durability] else {
            throw ValidationError("--durability must be process or power-loss")
        }
        let store = try db.map { try MetricStore(path: $0, durability: level) } ?? MetricStore.inMemory()
        let groupList = groups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let control = try StandInControl(store: store, groups: groupList, shadowsPerGroup: shadowsPerGroup)

        let registry = PrometheusCollectorRegistry()
        ActuatorAPI.bootstrapMetrics(registry: registry)
        // A few values so that /metrics shows every family the runtime will emit.
        let metrics = ActuatorMetrics()
        for group in groupList {
            metrics.recordShadows(group: group, counts: [.ready: shadowsPerGroup])
            metrics.recordCoverage(group: group, coverage: 0.95)
        }

        let app = try ActuatorAPI.makeApplication(control: control, configuration: configuration, registry: registry,
                                                  logger: logger)
        try await app.runService()
    }
}
