import Foundation
import TimeSeries

/// A replay file's problem, with file and line.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Recorded demand to feed the actuator as if live (`psm-actuator --replay FILE`): a long CSV
/// `series_id,timestamp,value[,…]` where `series_id` is the VM group and `value` its demand in
/// capacity units over the interval. Timestamps are ISO 8601 (UTC without an offset) or Unix
/// seconds. Rows may come in any order. Strict by design: the actuator must not import the batch
/// ingest code, and a replay is a test input, so any malformed row is an error naming its line
/// (NaN and empty values are kept as missing intervals, which the actuator treats as no live value).
public struct ReplayTrace: Sendable {
    /// Per timestamp (ascending), the demand of each group that has a row there.
    public var steps: [(time: Int64, demand: [String: Double])]
    public var groups: [String]
    /// The most common spacing of the timestamps (the replay interval), seconds.
    public var interval: Int64

    public static func load(path: String) throws(ReplayError) -> ReplayTrace {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReplayError(file: path, line: nil, message: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ReplayError) -> ReplayTrace {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw ReplayError(file: file, line: nil, message: "the file is empty") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let gi = columns.firstIndex(of: "series_id"), let ti = columns.firstIndex(of: "timestamp"),
              let vi = columns.firstIndex(of: "value") else {
            throw ReplayError(file: file, line: 1, message: "the header must name series_id, timestamp and value, got \"\(header)\"")
        }
        var byTime: [Int64: [String: Double]] = [:]
        var groups: Set<String> = []
        for (n, line) in lines.enumerated().dropFirst() where !line.allSatisfy({ $0 == " " }) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw ReplayError(file: file, line: n + 1, message: "expected \(columns.count) fields, got \(fields.count)")
            }
            let group = fields[gi].trimmingCharacters(in: .whitespaces)
            guard !group.isEmpty else { throw ReplayError(file: file, line: n + 1, message: "empty series_id") }
            let stamp = fields[ti].trimmingCharacters(in: .whitespaces)
            guard let time = Int64(stamp) ?? Timestamp.parse(stamp)?.seconds else {
                throw ReplayError(file: file, line: n + 1, message: "timestamp \"\(stamp)\" is neither ISO 8601 nor Unix seconds")
            }
            let raw = fields[vi].trimmingCharacters(in: .whitespaces)
            let value: Double
            if raw.isEmpty || raw.lowercased() == "nan" {
                value = .nan
            } else if let v = Double(raw), v.isFinite {
                guard v >= 0 else { throw ReplayError(file: file, line: n + 1, message: "negative demand \(raw)") }
                value = v
            } else {
                throw ReplayError(file: file, line: n + 1, message: "value \"\(raw)\" is not a number")
            }
            if byTime[time]?[group] != nil {
                throw ReplayError(file: file, line: n + 1, message: "a second row for \(group) at \(stamp)")
            }
            byTime[time, default: [:]][group] = value
            groups.insert(group)
        }
        let times = byTime.keys.sorted()
        guard !times.isEmpty else { throw ReplayError(file: file, line: nil, message: "no data rows") }
        var gaps: [Int64: Int] = [:]
        for (a, b) in zip(times, times.dropFirst()) { gaps[b - a, default: 0] += 1 }
        let interval = gaps.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 300
        return ReplayTrace(steps: times.map { ($0, byTime[$0] ?? [:]) }, groups: groups.sorted(), interval: interval)
    }
}
