import Calibration
import Markup
import TimeSeries

/// The report as one self-contained HTML page: inline CSS and inline SVG, no scripts, and a
/// Content-Security-Policy that forbids every fetch, so that the page cannot reach the network
/// (and a browser reports any attempt on its console, which the browser test checks).
enum ReportPage {
    static func render(_ report: EvaluationReport) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(report.title))</title>
            <style>\(ReportStyle.css)</style>
            </head><body>
            <header><h1>\(HTMLText.escape(report.title))</h1>
            <p class="meta">created \(HTMLText.escape(Timestamp.format(report.createdAt))) · psm \(HTMLText.escape(report.psmVersion)) · \(report.groups.count) group\(report.groups.count == 1 ? "" : "s")</p>
            """
        html += notes(report.notes)
        if report.groups.count > 1 {
            html += "<nav><ul>" + report.groups.enumerated().map { i, g in
                "<li><a href=\"#group-\(i + 1)\">\(HTMLText.escape(g.group))</a></li>"
            }.joined() + "</ul></nav>"
        }
        html += "</header>\n"
        for (i, group) in report.groups.enumerated() { html += section(group, anchor: "group-\(i + 1)") + "\n" }
        if report.groups.isEmpty { html += "<p class=\"empty\">No group was evaluated.</p>" }
        return html + "</body></html>\n"
    }

    static func section(_ g: GroupEvaluation, anchor: String) -> String {
        var html = "<section id=\"\(anchor)\"><h2>\(HTMLText.escape(g.group))</h2>"
        if let s = g.selection {
            html += "<p class=\"selection\">Selected: <strong>\(HTMLText.escape(s.model))</strong> — \(HTMLText.escape(s.reason))</p>"
        }
        if let c = g.configuration {
            html += "<p class=\"meta\">rolling origin: \(c.folds) folds of \(c.horizon) steps, origins \(c.stride) steps apart; quantile levels "
                + HTMLText.escape(c.levels.map { ReportNumber.short($0) }.joined(separator: ", ")) + "</p>"
        }
        html += notes(g.notes)
        var keys = Set<String>()
        for m in g.models {
            keys.formUnion(m.overall?.coverage.keys ?? [:].keys)
            for s in m.series { keys.formUnion(s.summary?.coverage.keys ?? [:].keys) }
        }
        let columns = MetricTable.columns(coverageKeys: Array(keys))

        html += "<h3>Models</h3>"
        html += MetricTable.render(labels: ["model"], blocks: [g.models.map { m in
            MetricTable.Row(cells: [modelCell(m.model, baseline: m.isBaseline, selected: m.model == g.selection?.model)],
                            summary: m.overall)
        }], columns: columns)

        if !g.fanCharts.isEmpty {
            html += "<h3>Forecasts against actuals (last fold, each model)</h3><div class=\"charts\">"
            html += g.fanCharts.map { "<figure>\(FanChartSVG.render(seriesID: $0.seriesID, model: $0.model, history: $0.history, forecast: $0.forecast, actuals: $0.actuals))</figure>" }.joined()
            html += "</div><p class=\"legend\"><span class=\"key history\"></span>history <span class=\"key actual\"></span>actual "
                + "<span class=\"key median\"></span>forecast median <span class=\"key band\"></span>central intervals</p>"
        }

        let diagnosed = g.models.filter { $0.pit != nil || $0.reliability != nil }
        if !diagnosed.isEmpty || !g.calibration.isEmpty {
            html += "<h3>Calibration</h3><div class=\"charts\">"
            for m in diagnosed {
                html += "<figure class=\"diagnostics\"><figcaption>\(HTMLText.escape(m.model))</figcaption>"
                if let pit = m.pit { html += CalibrationCharts.pit(pit, model: m.model) }
                if let r = m.reliability { html += CalibrationCharts.reliability(r, model: m.model) }
                html += "</figure>"
            }
            html += "</div>"
            if !g.calibration.isEmpty { html += calibrationTable(g.calibration) }
        }

        html += "<h3>Per series</h3>"
        html += MetricTable.render(labels: ["series", "model"], blocks: perSeriesBlocks(g), columns: columns)
        html += "<h3>Model versions</h3>" + VersionTable.render(g.versions)
        return html + "</section>"
    }

    /// One block per series (in the order the models list them), one row per model.
    static func perSeriesBlocks(_ g: GroupEvaluation) -> [[MetricTable.Row]] {
        var order: [String] = [], seen: Set<String> = []
        for m in g.models { for s in m.series where seen.insert(s.seriesID).inserted { order.append(s.seriesID) } }
        return order.map { id in
            let rows = g.models.compactMap { m in m.series.first { $0.seriesID == id }.map { (m, $0) } }
            return rows.enumerated().map { i, pair in
                let idCell = i == 0 ? "<th scope=\"rowgroup\" rowspan=\"\(rows.count)\">\(HTMLText.escape(id))</th>" : ""
                return MetricTable.Row(cells: [idCell, modelCell(pair.0.model, baseline: pair.0.isBaseline, selected: false)],
                                       summary: pair.1.summary)
            }
        }
    }

    static func calibrationTable(_ rows: [CalibrationCoverage]) -> String {
        var keySet = Set<String>()
        for r in rows { keySet.formUnion(r.before.keys); keySet.formUnion(r.after.keys) }
        let keys = keySet.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        let heldOut = rows.contains { $0.heldOut != nil }
        var html = ""
        if let h = rows.lazy.compactMap(\.heldOut).first {
            let s = h.schedule
            html += "<p class=\"meta\">Held-out check: every \(s.refresh) steps of backtest origins (one origin every "
                + "\(h.originStride) step\(h.originStride == 1 ? "" : "s")) are corrected by a table fitted on the \(s.window) "
                + "steps of origins whose targets all precede them, as a published table serves until the next training run; "
                + "before = raw, after = calibrated, on the same held-out forecasts. The interval is the 95 % block interval "
                + "(each block one unit: neighbouring forecasts are not independent).</p>"
            if let note = h.note { html += "<p class=\"meta\">\(HTMLText.escape(note))</p>" }
        }
        html += "<table class=\"metrics\"><thead><tr><th>model</th><th>method</th>"
        if heldOut { html += "<th class=\"num\">forecasts</th><th class=\"num\">blocks</th>" }
        html += keys.map { key in
            "<th class=\"num\">\(HTMLText.escape(ReportNumber.format((Double(key) ?? .nan) * 100, decimals: 0))) % before</th><th class=\"num\">after</th>"
                + (heldOut ? "<th class=\"num\">95 % interval</th>" : "")
        }.joined()
        html += "</tr></thead><tbody>"
        for r in rows {
            html += "<tr><td>\(HTMLText.escape(r.model))</td><td>\(HTMLText.escape(r.method ?? "–"))</td>"
            if heldOut {
                html += "<td class=\"num\">\(r.heldOut.map { String($0.forecasts) } ?? "–")</td>"
                    + "<td class=\"num\">\(r.heldOut.map { String($0.tally.blocks) } ?? "–")</td>"
            }
            for k in keys {
                html += "<td class=\"num\">\(ReportNumber.percent(r.before[k] ?? .nan))</td><td class=\"num\">\(ReportNumber.percent(r.after[k] ?? .nan))</td>"
                if heldOut {
                    let e = r.heldOut?.calibrated.first { MetricSummary.key($0.nominal) == k }
                    let interval = e.map { e in
                        (e.blockLower ?? e.binomialLower, e.blockUpper ?? e.binomialUpper)
                    }.map { "\(ReportNumber.format($0.0 * 100, decimals: 1))–\(ReportNumber.format($0.1 * 100, decimals: 1)) %" } ?? "–"
                    html += "<td class=\"num\">\(interval)</td>"
                }
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    static func modelCell(_ model: String, baseline: Bool, selected: Bool) -> String {
        "<td>\(HTMLText.escape(model))"
            + (baseline ? " <span class=\"badge\">baseline</span>" : "")
            + (selected ? " <span class=\"badge selected\">selected</span>" : "") + "</td>"
    }

    static func notes(_ notes: [String]) -> String {
        notes.isEmpty ? "" : "<ul class=\"notes\">" + notes.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
    }
}

/// Published versions and their lineage.
enum VersionTable {
    static func render(_ versions: [VersionRecord]) -> String {
        guard !versions.isEmpty else {
            return "<p class=\"empty\">No published versions (this report was made from backtest files, not by psm train).</p>"
        }
        var html = "<table class=\"versions\"><thead><tr><th>version</th><th>created</th><th>model</th><th>parent</th><th>current</th><th>note</th></tr></thead><tbody>"
        for v in versions {
            let created = v.createdAt.map { HTMLText.escape(Timestamp.format($0)) } ?? "–"
            let parent = v.parent.map { "<code>" + HTMLText.escape($0) + "</code>" } ?? "–"
            html += v.isCurrent ? "<tr class=\"current\">" : "<tr>"
            html += "<td><code>" + HTMLText.escape(v.id) + "</code></td><td>" + created + "</td>"
            html += "<td>" + HTMLText.escape(v.model ?? "–") + "</td><td>" + parent + "</td>"
            html += "<td>" + (v.isCurrent ? "CURRENT" : "") + "</td><td>" + HTMLText.escape(v.note ?? "") + "</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
