import TimeSeries
import Foundation

extension BacktestReport {
    /// Per series and overall: MASE, sMAPE, CRPS, coverage and MSIS (what `psm backtest` prints).
    package var table: String {
        let report = self
        let header = ["series", "folds", "MASE", "sMAPE", "CRPS", "cov80", "cov90", "cov95", "MSIS95"]
        func cells(_ name: String, _ folds: String, _ m: MetricSummary?) -> [String] {
            guard let m else { return [name, folds, "-", "-", "-", "-", "-", "-", "-"] }
            func pct(_ key: String) -> String { m.coverage[key].map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            return [name, folds, m.mase.map(Formatting.number) ?? "-", Formatting.number(m.smape),
                    Formatting.number(m.crps), pct("0.8"), pct("0.9"), pct("0.95"),
                    m.msis["0.95"].map(Formatting.number) ?? "-"]
        }
        let rows = report.series.map { cells($0.seriesID, String($0.folds.count), $0.summary) }
            + [cells("overall (\(report.model))", String(report.series.reduce(0) { $0 + $1.folds.count }), report.overall)]
        return Formatting.table(header: header, rows: rows)
    }
}
