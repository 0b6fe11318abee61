import Foundation

/// Human-readable renderings shared by the commands' tables.
package enum Formatting {
    /// A duration in seconds as `30s`, `5m`, `1h`, `1d`, `1d 2h`, `7d`.
    package static func duration(seconds: Int64) -> String {
        guard seconds != 0 else { return "0s" }
        let units: [(Int64, String)] = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        var rest = abs(seconds), parts: [String] = []
        for (size, name) in units where rest >= size {
            parts.append("\(rest / size)\(name)")
            rest %= size
            if parts.count == 2 { break }
        }
        return (seconds < 0 ? "-" : "") + parts.joined(separator: " ")
    }

    /// A length along a grid: a duration on a time axis, a step count on an index axis.
    package static func span(_ units: Int64, axis: TimeAxis) -> String {
        axis == .time ? duration(seconds: units) : "\(units) steps"
    }

    /// A position on a grid: ISO time or step index.
    package static func position(_ p: Int64, axis: TimeAxis) -> String {
        axis == .time ? Timestamp.format(p) : String(p)
    }

    /// A number with up to 4 significant decimals, no exponent for ordinary magnitudes.
    package static func number(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        let magnitude = abs(x)
        if magnitude != 0, magnitude < 1e-3 || magnitude >= 1e9 { return String(format: "%.3e", x) }
        let decimals = magnitude >= 1000 ? 1 : (magnitude >= 1 ? 3 : 4)
        return String(format: "%.\(decimals)f", x)
    }

    /// Left-aligned first column, right-aligned others, two spaces between columns.
    package static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
