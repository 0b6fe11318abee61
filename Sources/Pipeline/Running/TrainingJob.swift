import Foundation
import LinearAlgebra
import TimeSeries

/// One run of the training job over the groups of a shard, `jobs` groups at a time.
package struct TrainingJob: Sendable {
    package var trainer: GroupTrainer
    package var shard: Shard
    /// Receives progress lines (stderr in the command).
    package var progress: @Sendable (String) -> Void
    package var clock: @Sendable () -> Date

    package init(trainer: GroupTrainer, shard: Shard = .all, progress: @escaping @Sendable (String) -> Void = { _ in },
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.trainer = trainer
        self.shard = shard
        self.progress = progress
        self.clock = clock
    }

    /// Trains every group of the shard and returns the report (not yet written). Groups run
    /// concurrently on `jobs` workers, each with one BLAS thread (parallelism is across groups;
    /// nested BLAS threads would oversubscribe the cores). A failure in one group is recorded
    /// and never stops the others.
    ///
    /// With `[models.lstm] scope = "global"` the LSTM is one network per list of `sharing` (group
    /// names; nil: all groups of the shard in one list), trained once and published in each of
    /// their model files (`GlobalLSTM`).
    package func run(_ groups: [TrainingGroup], notes: [String] = [], sharing: [[String]]? = nil) -> TrainingReport {
        let started = clock()
        let mine = groups.filter { shard.contains(group: $0.name) }
        let trainer = self.trainer.sharingLSTM(groups: mine, sharing: sharing ?? [mine.map(\.name)])
        let previousThreads = blasThreadCount
        setBLASThreadCount(1)
        defer { setBLASThreadCount(previousThreads) }

        let workers = max(1, min(trainer.configuration.jobs, mine.count))
        progress("psm train: \(mine.count) of \(groups.count) groups in shard \(shard), \(workers) at a time")
        let outcomes = parallelMap(mine, jobs: workers, { trainer.train($0, clock: clock) }, completed: { outcome, finished in
            progress(Self.progressLine(outcome, done: finished, total: mine.count, elapsed: clock().timeIntervalSince(started)))
        })
        var report = TrainingReport(startedAt: Self.iso(started), finishedAt: Self.iso(clock()),
                                    configurationFile: trainer.configuration.file, shard: shard.description,
                                    totalGroups: groups.count, groups: outcomes, notes: notes)
        report.heldOutCoverage = TrainingReport.pooledHeldOut(outcomes)
        let lines = report.heldOutCoverageLines
        if !lines.isEmpty {
            progress("psm train: held-out calibrated coverage of the published models (95 % block intervals):")
            for line in lines { progress("  " + line) }
            report.notes += lines.map { "held-out calibrated coverage, " + $0 }
        }
        return report
    }

    /// `[3/8] web: trained lstm (12.3 s) · elapsed 40 s · ETA 67 s`; the ETA assumes the
    /// remaining groups take as long on average as the finished ones.
    static func progressLine(_ o: GroupOutcome, done: Int, total: Int, elapsed: Double) -> String {
        let what: String
        switch o.status {
        case .trained: what = "trained \(o.selection?.winner ?? "?")" + (o.version.map { " → \($0)" } ?? "")
        case .skipped: what = "skipped: \(o.reason ?? "")"
        case .failed: what = "FAILED: \(o.reason ?? "")"
        }
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        return "[\(done)/\(total)] \(o.group): \(what) (\(format(o.seconds))) · elapsed \(format(elapsed)) · ETA \(format(eta))"
    }

    static func format(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.1f s", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }

    static func iso(_ date: Date) -> String { Timestamp.format(Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// `20261129T040000Z`, for file names.
    package static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }
}
