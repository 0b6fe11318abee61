import ArgumentParser
import Dispatch
import Evaluation
import Features
import Forecasting
import Ingest
import Foundation
import MetricStore
import ModelRegistry
import Pipeline
import TimeSeries

#if canImport(Glibc)
import Glibc
#endif

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

    @Option(help: "The configuration file.")
    var config = "psm.toml"

    @Option(help: "Keep running, training at every multiple of this interval since the epoch (30m, 6h, 1d).")
    var every: String?

    @Option(help: "Train only shard i of N (0 ≤ i < N): the groups whose FNV-1a hash of the name mod N is i.")
    var shard: String?

    @Flag(help: "Run once now and exit (the default without --every).")
    var once = false

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
        let shard = self.shard.flatMap(Shard.init) ?? .all
        guard let every, let schedule = Schedule(every) else {
            let report = try Self.runOnce(configuration, shard: shard)
            if report.everyGroupFailed { throw ExitCode(1) }
            return
        }
        let stop = StopSignal()
        while !stop.requested {
            do { _ = try Self.runOnce(configuration, shard: shard) } catch { printError("psm train: run failed: \(error)") }
            let next = schedule.nextSlot(after: Date())
            printError("psm train: next run at \(Timestamp.format(Int64(next.timeIntervalSince1970)))")
            stop.wait(until: next)
        }
        printError("psm train: stopped by signal between runs")
    }

    /// One run: load, train every group of the shard, write the report. Throws only when
    /// nothing could be loaded or the report cannot be written.
    static func runOnce(_ c: TrainingConfiguration, shard: Shard) throws -> TrainingReport {
        let started = Date()
        let (inputs, notes, features) = try load(c)
        let registry = ModelRegistry(root: URL(fileURLWithPath: c.resolve(c.registryDirectory)))
        // A first publish a kill interrupted (version whole, CURRENT not yet written) is completed
        // or rolled back before this run publishes anything.
        let repairs = (try? registry.repairInterruptedPublishes()) ?? []
        for r in repairs { printError("psm train: \(r)") }
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: c.keepVersions),
                                   features: features)
        let job = TrainingJob(trainer: trainer, shard: shard, progress: { printError($0) })
        // Beside each group's CPU model, a memory model from the collected `<group>/memory_mib`
        // history (registry group `<group>.memory_mib`), trained by the same trainer.
        let groups = TrainingGroup.grouping(inputs)
        let memory = memoryGroups(c, beside: groups.map(\.name))
        for note in memory.notes { printError("psm train: \(note)") }
        var report = job.run(groups + memory.groups, notes: notes + memory.notes + repairs.map(\.description))
        let stamp = TrainingJob.stamp(started)
        let path: String
        do {
            path = try report.write(to: c.resolve(c.reportDirectory), stamp: stamp)
            try writeHTML(report, configuration: c, jsonPath: path, started: started)
        } catch {
            report.notes.append("report not written: \(error)")
            throw TrainingRunError(message: "\(report.trainedCount) group(s) trained and published, but the report could not be written: \(error)")
        }
        printError(String(format: "psm train: %d trained, %d skipped, %d failed in %.1f s; report %@",
                          report.trainedCount, report.skippedCount, report.failedCount,
                          Date().timeIntervalSince(started), path))
        return report
    }

    /// The HTML evaluation report next to the JSON one (`train-<stamp>.html`, `latest.html`);
    /// skipped and failed groups appear with their reason.
    static func writeHTML(_ report: TrainingReport, configuration c: TrainingConfiguration, jsonPath: String,
                          started: Date) throws {
        let groups = report.groups.map { o in
            o.evaluation ?? GroupEvaluation(group: o.group, models: [],
                                            notes: ["\(o.status.rawValue): \(o.reason ?? "")"] + o.notes.prefix(10))
        }
        let name = URL(fileURLWithPath: jsonPath).deletingPathExtension().lastPathComponent
        let html = EvaluationReport(title: "psm \(name) (shard \(report.shard))",
                                    createdAt: Int64(started.timeIntervalSince1970), psmVersion: PSM.version,
                                    groups: groups, notes: report.notes).html()
        let directory = c.resolve(c.reportDirectory)
        let suffix = report.shard == "0/1" ? "" : "-shard-" + report.shard.replacingOccurrences(of: "/", with: "-of-")
        for file in ["\(name).html", "latest\(suffix).html"] {
            try AtomicFile.write(Data(html.utf8), to: (directory as NSString).appendingPathComponent(file))
        }
    }

    /// Reads every source, and the calendar and stored notices the groups' features are built
    /// from (after grouping, so a source's `group` is what event scopes match). An unreadable
    /// source is noted in the report and the others go on.
    static func load(_ c: TrainingConfiguration) throws -> ([ForecastInput], [String], TrainingFeatures) {
        let calendarPath = c.calendarFile.map(c.resolve)
        var inputs: [ForecastInput] = [], notes: [String] = []
        if let database = c.database.map(c.resolve) {
            do {
                inputs += try storeInputs(database, configuration: c)
            } catch {
                notes.append("\(database): not used: \(error)")
                printError("psm train: \(database): not used: \(error)")
            }
        }
        for source in c.sources {
            let path = c.resolve(source.path)
            do {
                let files = try CSVFiles.expand([path])
                var loaded = try ModelInputs.load(files: files, options: c.ingest, season: c.season, calendarPath: nil,
                                                  futureSteps: 0, maxDiagnostics: 1)
                if let group = source.group {
                    for i in loaded.inputs.indices { loaded.inputs[i].series.group = group }
                }
                inputs += loaded.inputs
                notes += loaded.notes
            } catch {
                notes.append("\(path): not used: \(error)")
                printError("psm train: \(path): not used: \(error)")
            }
        }
        guard !inputs.isEmpty else { throw ValidationError("psm train: no series could be read from the configured inputs") }
        let calendar = try calendarPath.map { path -> CalendarFile in
            do { return try CalendarFile.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        var events = calendar?.events ?? []
        if c.storedNotices {
            var seen = Set<String>()
            for path in [c.database, c.actuatorStore].compactMap({ $0 }).map(c.resolve) where seen.insert(path).inserted {
                do {
                    events += try storedNotices(path)
                } catch {
                    notes.append("\(path): notices not read: \(error)")
                    printError("psm train: \(path): notices not read: \(error)")
                }
            }
        }
        let features = TrainingFeatures(calendar: calendar?.calendar ?? .utc, events: events,
                                        hourOfDay: c.hourOfDay, dayOfWeek: c.dayOfWeek)
        return (inputs, notes, features)
    }

    /// The advance notices a store holds (events of kind notice), as training events. A store
    /// that does not exist yet holds none (it is not created).
    static func storedNotices(_ path: String) throws -> [Event] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try MetricStore(path: path).events(kind: .notice).map(\.event)
    }

    /// Every series of a metric store (written by `psm ingest`), with its stored group. Keys
    /// `<id>:<column>` of a stored series `<id>` are its CSV regressors and are not trained on.
    static func storeInputs(_ path: String, configuration c: TrainingConfiguration) throws -> [ForecastInput] {
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no such file") }
        let store = try MetricStore(path: path)
        let infos = try store.listSeries()
        let keys = Set(infos.map(\.key))
        var inputs: [ForecastInput] = []
        for info in infos {
            if let colon = info.key.lastIndex(of: ":"), keys.contains(String(info.key[..<colon])) { continue }
            guard let series = try store.series(key: info.key), series.count > 0 else { continue }
            inputs.append(ForecastInput(series: series, season: c.season ?? ModelInputs.defaultSeason(series)))
        }
        return inputs
    }
}

/// SIGINT/SIGTERM while `--every` waits: the wait ends and the loop stops; during a run the
/// signal is remembered and the loop stops after the run (its models are published whole).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.trigger() }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func trigger() {
        lock.lock()
        stopped = true
        lock.unlock()
        semaphore.signal()
    }

    /// Sleeps until `date` or a stop signal.
    func wait(until date: Date) {
        guard !requested else { return }
        let seconds = max(0, date.timeIntervalSinceNow)
        _ = semaphore.wait(timeout: .now() + seconds)
    }
}

/// A training run that published its models but could not finish (its report): said in words,
/// exit status 1.
struct TrainingRunError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
