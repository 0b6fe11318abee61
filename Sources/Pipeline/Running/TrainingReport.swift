import Calibration
import Evaluation
import Foundation
import ModelRegistry

/// A training run's report (`reports/train-<time>.json`): one outcome per group of the shard.
package struct TrainingReport: Sendable, Codable {
    package var startedAt: String
    package var finishedAt: String
    package var configurationFile: String?
    package var shard: String
    /// Groups in the input before sharding, and those this shard took.
    package var totalGroups: Int
    package var groups: [GroupOutcome]
    /// Notes about the run as a whole (ingest diagnostics, BLAS threads, …).
    package var notes: [String]
    /// Held-out calibrated coverage of the published models, pooled over the trained groups
    /// (every held-out forecast step counts once; the block interval treats each group's blocks as units).
    package var heldOutCoverage: [CoverageEstimate]?

    package var trainedCount: Int { groups.count { $0.status == .trained } }
    package var failedCount: Int { groups.count { $0.status == .failed } }
    package var skippedCount: Int { groups.count { $0.status == .skipped } }

    /// Whether the shard had groups and none was trained (the job then exits non-zero).
    package var everyGroupFailed: Bool { !groups.isEmpty && trainedCount == 0 }

    /// The pooled held-out coverage of `groups`' published models; nil when none has one.
    package static func pooledHeldOut(_ groups: [GroupOutcome]) -> [CoverageEstimate]? {
        var pooled: CoverageTally?
        for tally in groups.compactMap(\.heldOutCoverage?.tally) {
            if pooled == nil { pooled = CoverageTally(nominals: tally.nominals) }
            pooled?.append(contentsOf: tally)
        }
        return pooled?.estimates()
    }

    /// One line per trained group and one for all of them: held-out calibrated coverage of the
    /// published models, e.g. `ec2-cpu (arima): 80 % 81.1 [78.9, 83.3] · 90 % …, 27,648 steps`.
    package var heldOutCoverageLines: [String] {
        var lines: [String] = []
        for g in groups {
            guard let h = g.heldOutCoverage else { continue }
            lines.append("\(g.group) (\(g.selection?.winner ?? "?")): " + Self.describe(h.calibrated)
                         + ", \(h.forecasts) forecasts in \(h.tally.blocks) blocks")
        }
        if let all = heldOutCoverage, lines.count > 1 { lines.append("all groups: " + Self.describe(all)) }
        return lines
    }

    /// `80 % 81.1 [78.9, 83.3]` per nominal: coverage and its block interval (binomial when there is no block interval).
    static func describe(_ estimates: [CoverageEstimate]) -> String {
        estimates.map { e in
            let lower = e.blockLower ?? e.binomialLower, upper = e.blockUpper ?? e.binomialUpper
            return String(format: "%g %% %.1f [%.1f, %.1f]", e.nominal * 100, e.coverage * 100, lower * 100, upper * 100)
        }.joined(separator: " · ") + (estimates.first.map { " (n = \($0.count) steps)" } ?? "")
    }

    /// Sorted-key, pretty JSON.
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Writes `train-<yyyyMMddTHHmmssZ>[-shard-i-of-N].json` and `latest.json` (or
    /// `latest-shard-i-of-N.json`) into `directory`, each by a temporary file and a rename, so
    /// a reader never sees half a report. Returns the timestamped file's path.
    @discardableResult
    package func write(to directory: String, stamp: String) throws(AtomicFile.Failure) -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.Failure("cannot create the report directory \(directory): \(error.localizedDescription)")
        }
        let suffix = shard == "0/1" ? "" : "-shard-" + shard.replacingOccurrences(of: "/", with: "-of-")
        let data: Data
        do { data = try json() } catch { throw AtomicFile.Failure("cannot encode the training report: \(error)") }
        // Runs started in the same second (several shards, a retry) each get their own file.
        let path = try AtomicFile.create(data, uniqueNear: (directory as NSString).appendingPathComponent("train-\(stamp)\(suffix).json"))
        try AtomicFile.write(data, to: (directory as NSString).appendingPathComponent("latest\(suffix).json"))
        return path
    }
}
