import Markup

/// The metric tables: one row per model (or per series and model), the best value of each column
/// within a block of rows highlighted.
enum MetricTable {
    /// Which value of a column is best.
    enum Goal { case lowest, closest(to: Double) }

    struct Column {
        var title: String
        var goal: Goal
        var value: (MetricSummary) -> Double?
        var format: (Double) -> String
    }

    struct Row {
        var cells: [String] // leading label cells, already escaped HTML
        var summary: MetricSummary?
    }

    /// The columns for summaries with these coverage keys: point and distribution errors, the
    /// coverage of each central interval (best = closest to nominal) and MSIS of the widest.
    static func columns(coverageKeys: [String]) -> [Column] {
        var columns: [Column] = [
            Column(title: "MASE", goal: .lowest, value: \.mase, format: { ReportNumber.format($0) }),
            Column(title: "sMAPE", goal: .lowest, value: { $0.smape }, format: { ReportNumber.format($0) }),
            Column(title: "MAE", goal: .lowest, value: { $0.mae }, format: { ReportNumber.format($0) }),
            Column(title: "RMSE", goal: .lowest, value: { $0.rmse }, format: { ReportNumber.format($0) }),
            Column(title: "CRPS", goal: .lowest, value: { $0.crps }, format: { ReportNumber.format($0) }),
            Column(title: "pinball", goal: .lowest, value: { $0.meanPinball }, format: { ReportNumber.format($0) }),
        ]
        let keys = coverageKeys.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        for key in keys {
            let nominal = Double(key) ?? .nan
            columns.append(Column(title: "cov \(ReportNumber.format(nominal * 100, decimals: 0)) %",
                                  goal: .closest(to: nominal), value: { $0.coverage[key] }, format: ReportNumber.percent))
        }
        if let widest = keys.last {
            columns.append(Column(title: "MSIS \(ReportNumber.format((Double(widest) ?? .nan) * 100, decimals: 0)) %",
                                  goal: .lowest, value: { $0.msis[widest] }, format: { ReportNumber.format($0) }))
        }
        return columns
    }

    /// A table whose rows come in blocks (one block for the overall table, one per series in the
    /// per-series one); `labels` are the header cells of the label columns.
    static func render(labels: [String], blocks: [[Row]], columns: [Column]) -> String {
        var html = "<table class=\"metrics\"><thead><tr>"
        html += labels.map { "<th>\(HTMLText.escape($0))</th>" }.joined()
        html += columns.map { "<th class=\"num\">\(HTMLText.escape($0.title))</th>" }.joined()
        html += "</tr></thead>"
        for block in blocks {
            html += "<tbody>"
            let best = columns.map { bestValue(of: $0, in: block) }
            for row in block {
                html += "<tr>" + row.cells.joined()
                for (c, column) in columns.enumerated() {
                    guard let s = row.summary, let v = column.value(s), v.isFinite else {
                        html += "<td class=\"num\">–</td>"
                        continue
                    }
                    let isBest = best[c].map { score(v, column.goal) <= $0 + 1e-12 } ?? false
                    html += "<td class=\"num\(isBest ? " best" : "")\">\(HTMLText.escape(column.format(v)))</td>"
                }
                html += "</tr>"
            }
            html += "</tbody>"
        }
        return html + "</table>"
    }

    /// The best score of a column in a block, when at least two rows have a value to compare.
    static func bestValue(of column: Column, in block: [Row]) -> Double? {
        let scores = block.compactMap { $0.summary.flatMap(column.value) }.filter(\.isFinite).map { score($0, column.goal) }
        return scores.count >= 2 ? scores.min() : nil
    }

    private static func score(_ v: Double, _ goal: Goal) -> Double {
        switch goal {
        case .lowest: return v
        case .closest(let nominal): return abs(v - nominal)
        }
    }
}
