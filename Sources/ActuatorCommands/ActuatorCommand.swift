import Actuator
import ArgumentParser
import Features
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import Scaling

/// `psm-actuator`: the service on hypervisor hosts (docs/actuator.md).
package struct ActuatorCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "psm-actuator",
        abstract: "Keep shadow VMs ready from psm's forecasts and activate them when demand rises.",
        discussion: """
        Reads the [actuator] section of psm.toml (docs/configuration.md). Without --replay it runs one \
        decision cycle per interval until stopped; with --replay it feeds recorded demand as if live \
        and prints a summary.
        """,
        subcommands: [Run.self, Explain.self],
        defaultSubcommand: Run.self)

    package init() {}
}

/// Options shared by the subcommands.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file ([actuator] section).")
    var config: String = "psm.toml"

    @Option(name: .long, help: "The metric store (overrides [actuator] store).")
    var store: String?

    func load() throws -> ActuatorConfiguration {
        var c = try ActuatorConfiguration.load(path: config)
        if let store { c.store = store }
        return c
    }
}

extension ActuatorCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run the actuator (the default subcommand).")

        @OptionGroup var options: ConfigOptions

        @Option(name: .long, help: "A libvirt URI for every configured host (e.g. test:///default, qemu:///system).")
        var hypervisor: String?

        @Option(name: .long, help: ArgumentHelp(
            "Recorded demand fed as if live: a long CSV, either series_id = group, timestamp, value in capacity units, or per-VM rows with a group column (and optional metric column).",
            discussion: "Per-VM rows are summed per group and timestamp: the VMs' values of the group's demand_metric times its units_per_metric (demand_units rows as they are); rows of other metrics are ignored (docs/actuator.md, \"Replay input\")."))
        var replay: String?

        @Option(name: .long, help: "Replay speed in intervals per second (0 = as fast as possible).")
        var speed: Double = 0

        @Flag(name: .long, help: "Decide and log, but change no domain and no shadow.")
        var dryRun = false

        @Option(name: .long, help: "Write the replay summary as JSON to this file ('-' for stdout).")
        var json: String?

        @Option(name: .long, help: "Live mode: stop after this many cycles (default: run until stopped).")
        var cycles: Int?

        @Option(name: .long, help: "Serve the HTTP API on HOST:PORT (overrides [api] listen; the API also starts when [api] is configured).")
        var listen: String?

        func run() async throws {
            var config = try options.load()
            if let hypervisor {
                guard !hypervisor.allSatisfy(\.isWhitespace) else {
                    throw ValidationError("--hypervisor is empty: name a libvirt URI (e.g. qemu:///system or test:///default)")
                }
                config.hosts = config.hosts.map { var h = $0; h.uri = hypervisor; return h }
            }
            if let cycles, cycles < 1 { throw ValidationError("--cycles must be at least 1") }
            guard speed.isFinite, (0...1_000_000).contains(speed) else {
                throw ValidationError("--speed must be from 0 (as fast as possible) to 1000000 intervals per second")
            }
            if let replay {
                try await ReplayRun(configuration: config, trace: replay, speed: speed, dryRun: dryRun).run { summary in
                    print(summary.text)
                    if let json { try ReplayRun.write(summary, to: json) }
                }
            } else {
                try await serve(configuration: config, configPath: options.config, listen: listen, dryRun: dryRun,
                                cycles: cycles, connect: Self.libvirt)
            }
        }

        @Sendable static func libvirt(_ host: HostConfig) throws -> any Hypervisor {
            try LibvirtHypervisor(uri: host.uri)
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain", abstract: "Say why a group's shadow pool has the size it has (its latest sizing decision).")

        @OptionGroup var options: ConfigOptions

        @Argument(help: "The VM group.")
        var group: String

        @Option(name: .long, help: "Show this many latest decisions.")
        var last: Int = 1

        func run() throws {
            let config = try options.load()
            guard (1...10_000).contains(last) else { throw ValidationError("--last must be from 1 to 10000") }
            guard ActuatorConfiguration.isPostgresURL(config.store) || FileManager.default.fileExists(atPath: config.store) else {
                throw ValidationError("no store at \(config.store): the actuator has not run with this configuration")
            }
            let store = try config.openStore()
            let log = DecisionLog(store: store)
            let decisions = try log.decisions(group: group, limit: last)
            guard !decisions.isEmpty else {
                throw ValidationError("no sizing decision stored for group '\(group)'"
                                      + (config.group(group) == nil ? " (it is not configured)" : ""))
            }
            for d in decisions {
                print("\(group) at \(d.time):")
                for line in d.explanation { print("  \(line)") }
            }
            // Routes of the group's VMs that are not plainly routed (docs/routing.md).
            for route in try store.routes(states: [.failed, .draining], group: group) {
                switch route.state {
                case .failed:
                    print("routing: \(route.server) is active but not routed (\(route.attempts) failed attempt(s), next at \(route.nextAttempt.map(String.init) ?? "?")): \(route.error ?? "")")
                default:
                    print("routing: \(route.server) is draining (parked by \(route.drainDeadline.map(String.init) ?? "?"))")
                }
            }
            // The group's latest activations, with the size predicted and the size applied.
            let activations = try store.activations(group: group, limit: min(last, 10) + 2)
            if !activations.isEmpty {
                print("\(group) latest activations:")
                for a in activations { print("  \(ActivationSizing.explanation(a))") }
            }
        }
    }
}
