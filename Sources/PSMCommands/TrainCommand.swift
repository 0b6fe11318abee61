import ArgumentParser
import Dispatch
import Foundation
import Logging
import Pipeline
import PSMConfiguration
import ServiceLifecycle
import Features
import UnixSignals

/// `psm train`: the scheduled training job (ingest → features → backtest → calibrate → select →
/// publish → report) over every VM group of the configured inputs.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train, evaluate and publish a model per VM group (the scheduled job).",
        discussion: """
        For every group: rolling-origin backtest of each candidate (seasonal naive always), \
        conformal calibration from the folds, selection by calibrated CRPS (or the equal-weight \
        average of the best two when it scores lower), a Diebold–Mariano test of the winner against \
        seasonal naive, a fit on the full history, publication to the model registry and a JSON + HTML \
        report. A group with too little data is skipped and a failing group is recorded; neither \
        stops the others, and a group that fails keeps its previous CURRENT version. Exits non-zero \
        when no group was trained (all failed or were skipped). With an [actuator] section, every group whose \
        memory the actuator collected (<group>/memory_mib in its store) also gets a memory model, published as \
        <group>.memory_mib. Every psm.toml key is in docs/configuration.md.
        """)

    @Option(help: "The configuration file.") var config = "psm.toml"

    @Option(help: "Keep running, training at every multiple of this interval since the epoch (30m, 6h, 1d).")
    var every: String?

    @Option(help: "Train only shard i of N (0 ≤ i < N): the groups whose FNV-1a hash of the name mod N is i.")
    var shard: String?

    @Flag(help: "Run once now and exit (the default without --every).") var once = false

    func validate() throws {
        if let every, Schedule(every) == nil {
            throw ValidationError("--every: \"\(every)\" is not a duration of at least one minute such as 30m, 6h or 1d")
        }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard: \"\(shard)\" is not i/N with 0 ≤ i < N") }
        if once && every != nil { throw ValidationError("--once and --every exclude each other") }
    }

    func run() throws {
        let configuration: TrainingConfiguration
        do { configuration = try TrainingConfiguration.load(path: config) } catch { throw ValidationError(error.description) }
        let run = TrainingRun(configuration: configuration, shard: shard.flatMap(Shard.init) ?? .all,
                              psmVersion: PSM.version, log: { printError($0) })
        guard let every, let schedule = Schedule(every) else {
            let report = try usageErrors { try run() }
            if report.everyGroupFailed { throw ExitCode(1) }
            return
        }
        try TrainingSchedule(run: run, schedule: schedule).runUntilSignalled()
    }
}
