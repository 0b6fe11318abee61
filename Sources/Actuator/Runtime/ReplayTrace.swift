import Features
import Foundation
import TimeSeries

/// A replay file's problem, with file and line.
package struct ReplayError: Error, Sendable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var message: String
    package var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Recorded demand to feed the actuator as if live (`psm-actuator --replay FILE`), a long CSV in
/// one of two shapes (docs/actuator.md, "Replay input"):
///
/// - **per group** — `series_id,timestamp,value[,…]` without a `group` column: `series_id` is the
///   VM group and `value` its demand in capacity units over the interval (other columns are ignored);
/// - **per VM** — `series_id,timestamp,value,group[,metric][,…]`, the long CSV of the ingest
///   contract (docs/ingest.md): `series_id` is a VM, and the rows are rolled up per group and
///   timestamp by the group's demand rule — the sum of its VMs' values of the group's
///   `demand_metric` times its `units_per_metric` (a `demand_units` row counts as capacity units
///   as it is, as `POST /v1/metrics` does); rows of other metrics are ignored; without a `metric`
///   column (or with an empty cell) every row is the group's demand metric.
///
/// Timestamps are ISO 8601 (UTC without an offset) or Unix seconds, within the models'
/// `FeatureSchema.positionLimit`. Rows may come in any order.
/// Strict by design: the actuator must not import the batch ingest code, and a replay is a test
/// input, so any malformed row is an error naming its file and line (NaN and empty values are kept
/// as missing intervals, which the actuator treats as no live value; a group whose VM has a missing
/// value at a timestamp has no value there — a partial sum would understate its demand).
package struct ReplayTrace: Sendable {
    /// Per timestamp (ascending), the demand of each group that has a row there.
    package var steps: [(time: Int64, demand: [String: Double])]
    package var groups: [String]
    /// The most common spacing of the timestamps (the replay interval), seconds.
    package var interval: Int64
    /// The VMs of a per-VM trace (empty for a per-group trace).
    package var vms: [String] = []

    /// How a group turns its VMs' rows into demand (from `[[actuator.groups]]`).
    package struct DemandRule: Sendable, Hashable {
        package var metric: String
        package var unitsPerMetric: Double
        package init(metric: String = "demand_units", unitsPerMetric: Double = 1) {
            self.metric = metric
            self.unitsPerMetric = unitsPerMetric
        }

        /// Capacity units per unit of a row of `metric` (nil when the row is not demand).
        func factor(_ rowMetric: String?) -> Double? {
            guard let rowMetric else { return metric == "demand_units" ? 1 : unitsPerMetric }
            if rowMetric == "demand_units" { return 1 }
            return rowMetric == metric ? unitsPerMetric : nil
        }
    }

    package static func load(path: String, groups: [GroupConfiguration] = []) throws(ReplayError) -> ReplayTrace {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReplayError(file: path, line: nil, message: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try parse(text, file: path, groups: groups)
    }

    /// Parses a trace; `groups` gives the per-VM rows their groups' demand rules (a group not
    /// among them counts `demand_units` rows, or every row without a metric, as capacity units).
    package static func parse(_ text: String, file: String, groups: [GroupConfiguration] = []) throws(ReplayError) -> ReplayTrace {
        var rules: [String: DemandRule] = [:]
        for g in groups where rules[g.name] == nil {
            rules[g.name] = DemandRule(metric: g.demandMetric, unitsPerMetric: g.unitsPerMetric)
        }
        return try parse(text, file: file, rules: rules)
    }

    package static func parse(_ text: String, file: String, rules: [String: DemandRule]) throws(ReplayError) -> ReplayTrace {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw ReplayError(file: file, line: nil, message: "the file is empty") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let si = columns.firstIndex(of: "series_id"), let ti = columns.firstIndex(of: "timestamp"),
              let vi = columns.firstIndex(of: "value") else {
            throw ReplayError(file: file, line: 1, message: "the header must name series_id, timestamp and value, got \"\(header)\"")
        }
        let gi = columns.firstIndex(of: "group")
        let mi = gi == nil ? nil : columns.firstIndex(of: "metric")
        // Per group: time → group → value. Per VM: the rows kept, then rolled up.
        var byTime: [Int64: [String: Double]] = [:]
        var groupNames: Set<String> = []
        var vmGroup: [String: (group: String, line: Int)] = [:]
        var seen: [VMKey: Int] = [:]
        for (n, line) in lines.enumerated().dropFirst() where !line.allSatisfy({ $0 == " " }) {
            let number = n + 1
            func fail(_ message: String) -> ReplayError { ReplayError(file: file, line: number, message: message) }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else { throw fail("expected \(columns.count) fields, got \(fields.count)") }
            let id = fields[si].trimmingCharacters(in: .whitespaces)
            guard !id.isEmpty else { throw fail("empty series_id") }
            let stamp = fields[ti].trimmingCharacters(in: .whitespaces)
            guard let time = Int64(stamp) ?? Timestamp.parse(stamp)?.seconds else {
                throw fail("timestamp \"\(stamp)\" is neither ISO 8601 nor Unix seconds")
            }
            // The times the models' features cover; it also keeps the differences between
            // timestamps (the interval) within Int64.
            guard FeatureSchema.positionLimit.contains(time) else {
                throw fail("timestamp \(stamp) is outside the times psm can use "
                           + "(\(FeatureSchema.positionLimit.lowerBound) to \(FeatureSchema.positionLimit.upperBound - 1) Unix seconds)")
            }
            let raw = fields[vi].trimmingCharacters(in: .whitespaces)
            let value: Double
            if raw.isEmpty || raw.lowercased() == "nan" {
                value = .nan
            } else if let v = Double(raw), v.isFinite {
                guard v >= 0 else { throw fail("negative demand \(raw)") }
                value = v
            } else {
                throw fail("value \"\(raw)\" is not a number")
            }
            guard let gi else {
                if byTime[time]?[id] != nil { throw fail("a second row for \(id) at \(stamp)") }
                byTime[time, default: [:]][id] = value
                groupNames.insert(id)
                continue
            }
            // A per-VM row.
            let group = fields[gi].trimmingCharacters(in: .whitespaces)
            guard !group.isEmpty else { throw fail("the row of VM \(id) has no group (the group column is empty)") }
            if let first = vmGroup[id], first.group != group {
                throw fail("VM \(id) is in group \(group) here but in group \(first.group) on line \(first.line)")
            }
            if vmGroup[id] == nil { vmGroup[id] = (group, number) }
            let metricCell = mi.map { fields[$0].trimmingCharacters(in: .whitespaces) } ?? ""
            let metric = metricCell.isEmpty ? nil : metricCell
            let key = VMKey(vm: id, metric: metric, time: time)
            if let earlier = seen[key] {
                throw fail("a second row for VM \(id)\(metric.map { " (metric \($0))" } ?? "") at \(stamp) (the first is on line \(earlier))")
            }
            seen[key] = number
            guard let factor = (rules[group] ?? DemandRule()).factor(metric) else { continue } // not the demand metric
            let units = value * factor
            // NaN stays NaN: one missing VM value leaves the group without a value at that time.
            byTime[time, default: [:]][group, default: 0] += units
            groupNames.insert(group)
        }
        let times = byTime.keys.sorted()
        guard !times.isEmpty else {
            throw ReplayError(file: file, line: nil, message: gi == nil ? "no data rows"
                              : "no data rows of the groups' demand metrics (\(Self.describe(rules)))")
        }
        var gaps: [Int64: Int] = [:]
        for (a, b) in zip(times, times.dropFirst()) { gaps[b - a, default: 0] += 1 }
        let interval = gaps.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key ?? 300
        return ReplayTrace(steps: times.map { ($0, byTime[$0] ?? [:]) }, groups: groupNames.sorted(), interval: interval,
                           vms: vmGroup.keys.sorted())
    }

    private struct VMKey: Hashable {
        var vm: String
        var metric: String?
        var time: Int64
    }

    private static func describe(_ rules: [String: DemandRule]) -> String {
        let named = rules.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.metric)" }
        return named.isEmpty ? "demand_units" : named.joined(separator: ", ")
    }
}
