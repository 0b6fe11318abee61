import Evaluation
import Foundation
import ModelRegistry

/// One `psm train` run, whole: load the inputs (`TrainingInputs`), repair an interrupted publish,
/// train every group of the shard (CPU models, and memory models beside them), publish, and write
/// the JSON and HTML reports.
package struct TrainingRun: Sendable {
    package var configuration: TrainingConfiguration
    package var shard: Shard
    /// The version written into the HTML report.
    package var psmVersion: String
    /// Progress and notes, one line each (the command line writes them to stderr).
    package var log: @Sendable (String) -> Void

    package init(configuration: TrainingConfiguration, shard: Shard = .all, psmVersion: String,
                log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.shard = shard
        self.psmVersion = psmVersion
        self.log = log
    }

    /// Throws only when nothing could be loaded (`InputsError`) or the report cannot be written
    /// (`TrainingRunError`, after the models were published).
    package func callAsFunction() throws -> TrainingReport {
        let c = configuration
        let started = Date()
        let loaded = try TrainingInputs.load(c, log: log)
        let registry = ModelRegistry(root: URL(fileURLWithPath: c.resolve(c.registryDirectory)))
        // A first publish a kill interrupted (version whole, CURRENT not yet written) is completed
        // or rolled back before this run publishes anything.
        let repairs = (try? registry.repairInterruptedPublishes()) ?? []
        for r in repairs { log("psm train: \(r)") }
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: c.keepVersions),
                                   features: loaded.features)
        let job = TrainingJob(trainer: trainer, shard: shard, progress: log)
        // Beside each group's CPU model, a memory model from the collected `<group>/memory_mib`
        // history (registry group `<group>.memory_mib`), trained by the same trainer.
        let groups = TrainingGroup.grouping(loaded.inputs)
        let memory = MemoryGroups.read(c, beside: groups.map(\.name))
        for note in memory.notes { log("psm train: \(note)") }
        // CPU and memory series are different metrics: each kind shares its own LSTM network.
        var report = job.run(groups + memory.groups, notes: loaded.notes + memory.notes + repairs.map(\.description),
                             sharing: [groups.map(\.name), memory.groups.map(\.name)])
        let path: String
        do {
            path = try report.write(to: c.resolve(c.reportDirectory), stamp: TrainingJob.stamp(started))
            try writeHTML(report, jsonPath: path, started: started)
        } catch {
            report.notes.append("report not written: \(error)")
            throw TrainingRunError(message: "\(report.trainedCount) group(s) trained and published, but the report could not be written: \(error)")
        }
        log(String(format: "psm train: %d trained, %d skipped, %d failed in %.1f s; report %@",
                   report.trainedCount, report.skippedCount, report.failedCount,
                   Date().timeIntervalSince(started), path))
        return report
    }

    /// The HTML evaluation report next to the JSON one (`train-<stamp>.html`, `latest.html`);
    /// skipped and failed groups appear with their reason.
    func writeHTML(_ report: TrainingReport, jsonPath: String, started: Date) throws {
        let groups = report.groups.map { o in
            o.evaluation ?? GroupEvaluation(group: o.group, models: [],
                                            notes: ["\(o.status.rawValue): \(o.reason ?? "")"] + o.notes.prefix(10))
        }
        let name = URL(fileURLWithPath: jsonPath).deletingPathExtension().lastPathComponent
        let html = EvaluationReport(title: "psm \(name) (shard \(report.shard))",
                                    createdAt: Int64(started.timeIntervalSince1970), psmVersion: psmVersion,
                                    groups: groups, notes: report.notes).html()
        let directory = configuration.resolve(configuration.reportDirectory)
        let suffix = report.shard == "0/1" ? "" : "-shard-" + report.shard.replacingOccurrences(of: "/", with: "-of-")
        for file in ["\(name).html", "latest\(suffix).html"] {
            try AtomicFile.write(Data(html.utf8), to: (directory as NSString).appendingPathComponent(file))
        }
    }
}

/// A training run that published its models but could not finish (its report): said in words,
/// exit status 1.
package struct TrainingRunError: Error, CustomStringConvertible, Sendable {
    package let message: String
    package var description: String { message }
}
