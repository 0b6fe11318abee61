import Foundation
import Markup

extension SimulationReport {
    /// A self-contained HTML page: the per-policy table, the cost-versus-unserved frontier and,
    /// for the groups that kept their series, demand against each policy's capacity.
    package func html(trace: String) -> String {
        var parts: [String] = []
        parts.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        parts.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
        parts.append("<title>psm simulate: \(HTMLText.escape(trace))</title><style>\(SimulationPage.style)</style></head><body>")
        parts.append("<h1>psm simulate</h1><p class=\"note\">Trace <code>\(HTMLText.escape(trace))</code>: \(groups.count) group\(groups.count == 1 ? "" : "s")"
                     + (skipped.isEmpty ? "" : ", \(skipped.count) skipped") + ". \(SimulationPage.parameterLine(parameters))</p>")
        parts.append("<h2>Per policy, all groups</h2>")
        parts.append(SimulationPage.table(overall.map { ($0.policy.rawValue, $0.metrics) }))
        parts.append(SimulationPage.frontierSection(self))
        for g in groups where g.demand != nil {
            parts.append(SimulationPage.groupSection(g))
        }
        if !skipped.isEmpty {
            parts.append("<h2>Skipped groups</h2><ul>" + skipped.prefix(50).map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>")
        }
        parts.append("</body></html>\n")
        return parts.joined(separator: "\n")
    }
}

enum SimulationPage {
    static let style = """
        body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1180px}
        table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
        th:first-child,td:first-child{text-align:left}.note{color:#555;font-size:13px}
        svg{display:block;margin:8px 0;background:#fff}.title{font-size:13px;font-weight:600}.tick{font-size:10px;fill:#555}
        .axis{font-size:11px;fill:#333}.grid{stroke:#eee}
        .demand{fill:none;stroke:#555;stroke-width:.8}.capacity{fill:none;stroke:#1f77b4;stroke-width:1.2}
        .unserved{fill:none;stroke:#d62728;stroke-width:2}
        .demand-band{fill:#999;fill-opacity:.35;stroke:none}.capacity-band{fill:#1f77b4;fill-opacity:.3;stroke:none}
        .reactive{fill:#ff7f0e;stroke:#ff7f0e}.predictive-buffer{fill:#2ca02c;stroke:#2ca02c}.shadow{fill:#1f77b4;stroke:#1f77b4}
        polyline.reactive,polyline.predictive-buffer,polyline.shadow{fill:none;stroke-width:1.5}
        circle.base{fill:none;stroke-width:2}
        polyline.frontier{stroke-dasharray:5 3;stroke-width:1;stroke-opacity:.8}
        """

    static func parameterLine(_ p: SimulationParameters) -> String {
        HTMLText.escape("Capacity \(ReportNumber.compact(p.unitsPerVM)) units per VM at θ = \(p.targetUtilisation); launch "
            + "\(DurationText.describe(p.launchDelay)), activation \(DurationText.describe(p.activationDelay)), detection "
            + "\(DurationText.describe(p.detectionDelay)); costs per interval: VM \(p.vmCost), shadow \(p.shadowCost), "
            + "unserved unit \(ReportNumber.compact(p.effectiveMissCost)); τ = \(String(format: "%.3f", p.effectiveTau)); "
            + "forecasts \(p.model)\(p.model == "arima" ? " (\(p.arimaOrder))" : ""), training window "
            + "\(DurationText.describe(p.trainingWindow)), refit every \(DurationText.describe(p.retrainEvery)).")
    }

    static func table(_ rows: [(String, PolicyMetrics)]) -> String {
        let header = ["policy", "unserved unit·min", "violation min", "TTC p50 s", "TTC p95 s", "TTC p99 s", "rises",
                      "cost", "VM cost", "shadow cost", "unserved cost", "shadow h", "activations", "activated", "launches"]
        func n(_ x: Double?) -> String { x.map(ReportNumber.compact) ?? "–" }
        var html = "<table><tr>" + header.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr>"
        for (name, m) in rows {
            let cells = [name, n(m.unservedUnitMinutes), n(m.violationMinutes), n(m.timeToCapacityP50), n(m.timeToCapacityP95),
                         n(m.timeToCapacityP99), String(m.rises), n(m.cost), n(m.vmCost), n(m.shadowCost), n(m.unservedCost),
                         n(m.shadowHours), String(m.activations),
                         m.activatedShare.map { String(format: "%.0f %%", $0 * 100) } ?? "–", String(m.launches)]
            html += "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    static func frontierSection(_ r: SimulationReport) -> String {
        let base = r.overall
        var chart = SVGChart(title: "Cost against unserved demand", xLabel: "VM + shadow cost",
                             yLabel: "unserved unit·min (log scale)")
        chart.height = 320
        chart.right = 90
        chart.logY = true
        let swept = Set(r.frontiers.map(\.sweep.parameter.policy))
        for (kind, m) in base {
            // A swept policy's own point lies on its line; a large ring marks it.
            chart.markers.append(.init(x: m.resourceCost, y: m.unservedUnitMinutes, cssClass: kind.rawValue + " base",
                                       label: swept.contains(kind) ? nil : kind.rawValue, radius: 7))
        }
        chart.legend = base.map { ($0.policy.rawValue + (swept.contains($0.policy) ? " (ring: its defaults)" : ""), $0.policy.rawValue) }
        // Each policy's Pareto frontier as a step line: the lowest unserved demand at a cost ≤ x.
        for (kind, f) in r.policyFrontiers where f.points.count > 1 {
            chart.lines.append(.init(points: f.points.map { ($0.cost, $0.unserved) }, cssClass: kind.rawValue + " frontier", step: true))
        }
        var html = "<h2>Frontier</h2>" + dominanceTable(r)
        let frontiers = r.frontiers
        if !frontiers.isEmpty {
            var tables = ""
            var notes: [String] = []
            for (sweep, points) in frontiers {
                let kind = sweep.parameter.policy
                chart.lines.append(.init(points: points.map { ($0.metrics.resourceCost, $0.metrics.unservedUnitMinutes) },
                                         cssClass: kind.rawValue))
                for (i, p) in points.enumerated() {
                    // Label the ends and every other point, so labels do not pile up.
                    let label = i == 0 || i == points.count - 1 || i % 2 == 0
                        ? "\(sweep.parameter.rawValue) \(ReportNumber.compact(p.value))" : nil
                    chart.markers.append(.init(x: p.metrics.resourceCost, y: p.metrics.unservedUnitMinutes, cssClass: kind.rawValue,
                                               label: label))
                }
                notes.append("\(kind.rawValue) over \(sweep.parameter.rawValue) = "
                             + points.map { ReportNumber.compact($0.value) }.joined(separator: ", "))
                tables += "<h3>\(HTMLText.escape(kind.rawValue)): \(HTMLText.escape(sweep.parameter.rawValue)) swept</h3>"
                    + table(points.map { ("\(sweep.parameter.rawValue) = \(ReportNumber.compact($0.value))", $0.metrics) })
            }
            html += "<p class=\"note\">Swept: \(HTMLText.escape(notes.joined(separator: "; "))). Unswept policies are single points "
                + "at their parameters. Lower left is better.</p>"
            html += chart.render() + tables
        } else {
            html += "<p class=\"note\">One point per policy; add <code>--sweep tau=0.5:0.99:10</code> or "
                + "<code>--sweep buffer=0:0.5:10</code> to trace a frontier.</p>" + chart.render()
        }
        return html
    }

    /// Shadow's frontier against each other policy's: share of the common cost range where it is
    /// lowest or equal, and the normalised area between the frontiers.
    static func dominanceTable(_ r: SimulationReport) -> String {
        let rows = r.dominance
        guard !rows.isEmpty else { return "" }
        let lowest = Dictionary(r.policyFrontiers.map { ($0.policy, $0.frontier.lowestUnserved) }, uniquingKeysWith: { a, _ in a })
        var html = "<p class=\"note\">Dashed: each policy's Pareto frontier (its default run and sweep points), as a step: "
            + "the lowest unserved demand at that cost or less. Share: of the cost range both frontiers reach, where shadow's "
            + "is lower or equal; area: mean gap between them over that range (positive: shadow lower).</p>"
        html += "<table><tr><th>shadow against</th><th>cost range</th><th>share</th><th>area unit·min</th>"
            + "<th>its lowest unserved</th><th>shadow's lowest</th></tr>"
        for (other, d) in rows {
            let range = d.map { "\(ReportNumber.compact($0.range.lowerBound))–\(ReportNumber.compact($0.range.upperBound))" } ?? "no overlap"
            let cells = [other.rawValue, range, d.map { String(format: "%.3f", $0.share) } ?? "–",
                         d.map { ReportNumber.compact($0.area) } ?? "–", (lowest[other] ?? nil).map(ReportNumber.compact) ?? "–",
                         (lowest[.shadow] ?? nil).map(ReportNumber.compact) ?? "–"]
            html += "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    /// At most this many points per plotted line: longer series are reduced to per-bin
    /// maxima of demand and minima of capacity (what a shortfall looks like survives).
    static let maximumPoints = 1200

    static func groupSection(_ g: GroupResult) -> String {
        guard let demand = g.demand else { return "" }
        let days = g.interval / 86_400
        var html = "<h2>\(HTMLText.escape(g.group))</h2><p class=\"note\">\(demand.count) intervals simulated; forecasts: "
            + HTMLText.escape(g.forecastModels.joined(separator: ", ")) + "</p>"
        html += table(g.outcomes.map { ($0.policy.rawValue, PolicyMetrics([$0])) })
        let bins = max(1, (demand.count + maximumPoints - 1) / maximumPoints)
        html += "<p class=\"note\">Demand grey, capacity blue, intervals with unserved demand red"
            + (bins > 1 ? "; each point spans \(bins) intervals, the bands run from their lowest to their highest value" : "")
            + ".</p>"
        for o in g.outcomes {
            guard let capacity = o.capacity, let unserved = o.unserved else { continue }
            let bin = max(1, (demand.count + maximumPoints - 1) / maximumPoints)
            var d: [(x: Double, low: Double, high: Double)] = [], c: [(x: Double, low: Double, high: Double)] = []
            var u: [(Double, Double)] = []
            var i = 0
            while i < demand.count {
                let r = i..<min(i + bin, demand.count)
                let x = Double(i) * days
                let observed = demand[r].filter(\.isFinite)
                let high = observed.max() ?? .nan
                d.append((x, observed.min() ?? .nan, high))
                c.append((x, capacity[r].min() ?? .nan, capacity[r].max() ?? .nan))
                if unserved[r].contains(where: { $0 > 0 }) { u.append((x, high)) }
                i += bin
            }
            var chart = SVGChart(title: "\(g.group): \(o.policy.rawValue)", xLabel: "days into the simulation",
                                 yLabel: "capacity units")
            chart.bands = [.init(points: d, cssClass: "demand-band"), .init(points: c, cssClass: "capacity-band")]
            chart.lines = [.init(points: d.map { ($0.x, $0.high) }, cssClass: "demand"),
                           .init(points: c.map { ($0.x, $0.low) }, cssClass: "capacity", step: bin == 1)]
            // Intervals with unserved demand as red strokes at the demand's top.
            for p in u { chart.lines.append(.init(points: [(p.0, p.1), (p.0 + Double(bin) * days, p.1)], cssClass: "unserved")) }
            html += chart.render()
        }
        return html
    }
}
