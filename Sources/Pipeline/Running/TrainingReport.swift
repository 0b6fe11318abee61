import Foundation

/// A training run's report (`reports/train-<time>.json`): one outcome per group of the shard.
public struct TrainingReport: Sendable, Codable {
    public var startedAt: String
    public var finishedAt: String
    public var configurationFile: String?
    public var shard: String
    /// Groups in the input before sharding, and those this shard took.
    public var totalGroups: Int
    public var groups: [GroupOutcome]
    /// Notes about the run as a whole (ingest diagnostics, BLAS threads, …).
    public var notes: [String]

    public var trainedCount: Int { groups.count { $0.status == .trained } }
    public var failedCount: Int { groups.count { $0.status == .failed } }
    public var skippedCount: Int { groups.count { $0.status == .skipped } }

    /// Whether the shard had groups and none was trained (the job then exits non-zero).
    public var everyGroupFailed: Bool { !groups.isEmpty && trainedCount == 0 }

    /// Sorted-key, pretty JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Writes `train-<yyyyMMddTHHmmssZ>[-shard-i-of-N].json` and `latest.json` (or
    /// `latest-shard-i-of-N.json`) into `directory`, each by a temporary file and a rename, so
    /// a reader never sees half a report. Returns the timestamped file's path.
    @discardableResult
    public func write(to directory: String, stamp: String) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let suffix = shard == "0/1" ? "" : "-shard-" + shard.replacingOccurrences(of: "/", with: "-of-")
        let data = try json()
        let path = (directory as NSString).appendingPathComponent("train-\(stamp)\(suffix).json")
        for target in [path, (directory as NSString).appendingPathComponent("latest\(suffix).json")] {
            let temp = target + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
            try data.write(to: URL(fileURLWithPath: temp))
            _ = try? fm.removeItem(atPath: target)
            try fm.moveItem(atPath: temp, toPath: target)
        }
        return path
    }
}
