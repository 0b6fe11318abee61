import Foundation
import TimeSeries

/// The bundled NAB EC2 CPU series the demo replays, and the long CSVs it writes from them.
package enum DemoData {
    /// A bundled NAB EC2 CPU series: (time aligned down to its 5-minute step, value as written).
    package static func series(_ file: String, datasets: String) throws -> [(Int64, Substring)] {
        let path = "\(datasets)/nab-aws-cloudwatch/realAWSCloudwatch/\(file).csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DemoError("cannot read \(path): run psm demo from the repository root, or pass --datasets")
        }
        var rows: [(Int64, Substring)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            guard parts.count == 2, let t = Timestamp.parse(parts[0])?.seconds, Double(parts[1]) != nil else { continue }
            // NAB stamps are at :02, :07…; the actuator's grid is whole 5-minute steps.
            rows.append((t - ((t % 300) + 300) % 300, parts[1]))
        }
        return rows
    }

    /// `series_id,timestamp,value` rows, one per (group, time, value).
    package static func csv(_ rows: [(group: String, time: Int64, value: Substring)]) -> String {
        var text = "series_id,timestamp,value\n"
        for row in rows { text += "\(row.group),\(Timestamp.format(row.time)),\(row.value)\n" }
        return text
    }

    /// Creates `out` and removes the actuator store (and `extra` entries) a previous run left.
    static func prepare(_ out: String, removing extra: [String] = []) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        for stale in ["actuator.sqlite", "actuator.sqlite-wal", "actuator.sqlite-shm"] + extra {
            try? fm.removeItem(atPath: "\(out)/\(stale)")
        }
    }
}
