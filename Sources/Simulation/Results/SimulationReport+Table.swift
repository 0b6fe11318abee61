import Foundation
import TimeSeries

extension SimulationReport {
    /// The policies' overall metrics, each sweep's points and the frontiers' dominance as text tables
    /// (what `psm simulate` prints).
    package var table: String {
        let report = self
        let header = ["policy", "unserved unit·min", "violation min", "TTC p50 s", "TTC p95 s", "TTC p99 s",
                      "cost", "shadow h", "activations", "activated"]
        func n(_ x: Double?) -> String { x.map(Formatting.number) ?? "-" }
        func row(_ name: String, _ m: PolicyMetrics) -> [String] {
            [name, n(m.unservedUnitMinutes), n(m.violationMinutes), n(m.timeToCapacityP50), n(m.timeToCapacityP95),
             n(m.timeToCapacityP99), n(m.cost), n(m.shadowHours), String(m.activations),
             m.activatedShare.map { String(format: "%.0f%%", $0 * 100) } ?? "-"]
        }
        var text = Formatting.table(header: header, rows: report.overall.map { row($0.policy.rawValue, $0.metrics) })
        for (s, points) in report.frontiers {
            text += "\n\n\(s.parameter.policy.rawValue):\n"
                + Formatting.table(header: [s.parameter.rawValue] + Array(header.dropFirst()),
                                   rows: points.map { row(Formatting.number($0.value), $0.metrics) })
        }
        if !report.frontiers.isEmpty, !report.dominance.isEmpty {
            let lowest = report.policyFrontiers.map { "\($0.policy.rawValue) \($0.frontier.lowestUnserved.map(Formatting.number) ?? "-")" }
            text += "\n\nfrontiers (VM + shadow cost against unserved unit·min); lowest unserved: " + lowest.joined(separator: ", ") + "\n"
                + Formatting.table(header: ["shadow against", "cost from", "cost to", "share", "area"],
                                   rows: report.dominance.map { other, d in
                                       [other.rawValue, n(d?.range.lowerBound), n(d?.range.upperBound),
                                        d.map { String(format: "%.3f", $0.share) } ?? "no overlap", n(d?.area)]
                                   })
        }
        return text
    }
}
