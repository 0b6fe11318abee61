import Actuator
import Scaling
import ArgumentParser
import Foundation

/// `psm-actuator run --replay FILE` as a library call (`psm demo` makes it too): recorded demand
/// fed through the real runtime on a manual clock that jumps interval by interval, ending in the
/// replay summary (docs/actuator.md, "Replay").
package struct ReplayRun: Sendable {
    package var configuration: ActuatorConfiguration
    /// The recorded demand (docs/actuator.md, "Replay input").
    package var trace: String
    /// Intervals per second of wall time (0 = as fast as possible).
    package var speed: Double
    /// Decide and log, but change no domain and no shadow.
    package var dryRun: Bool

    package init(configuration: ActuatorConfiguration, trace: String, speed: Double = 0, dryRun: Bool = false) {
        self.configuration = configuration
        self.trace = trace
        self.speed = speed
        self.dryRun = dryRun
    }

    /// Runs the replay with progress on stderr and hands its summary to `report` (print it, write
    /// it). Throws when the trace cannot be read, or after `report` when a configured host could
    /// not be used (the summary then covers a smaller fleet).
    package func run(report: (ReplaySummary) throws -> Void) async throws {
        var config = configuration
        let trace = try ReplayTrace.load(path: self.trace, groups: config.groups)
        config.interval = trace.interval
        let clock = ManualWallClock(trace.steps.first?.time ?? 0)
        let runtime = try await ActuatorRuntime(configuration: config, clock: clock, dryRun: dryRun,
                                                store: try config.openStore(), connect: ActuatorCommand.Run.libvirt)
        let unknown = trace.groups.filter { config.group($0) == nil }
        if !unknown.isEmpty {
            FileHandle.standardError.write(Data("psm-actuator: the replay names groups not configured (ignored): \(unknown.joined(separator: ", "))\n".utf8))
        }
        let total = trace.steps.count
        let summary = await ReplayRunner(trace: trace, speed: speed).run(runtime, clock: clock) { i, _ in
            if (i + 1) % 100 == 0 || i + 1 == total {
                FileHandle.standardError.write(Data("\r[replay] \(i + 1)/\(total) intervals".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try report(summary)
        let down = await runtime.hostProblems
        if !down.isEmpty {
            throw ValidationError("\(down.count) configured host(s) could not be used, so the summary covers a smaller fleet: "
                                  + down.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
        }
    }

    /// The summary as JSON at `path` (`-` for stdout), written atomically.
    package static func write(_ summary: ReplaySummary, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(summary)
        if path == "-" { print(String(decoding: data, as: UTF8.self)) } else {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }
}
