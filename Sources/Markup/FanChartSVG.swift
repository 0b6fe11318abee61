import TimeSeries

/// A fan chart: history, the forecast's central intervals as nested translucent bands (widest
/// first, so narrower ones darken on top), its median, and the actuals.
package enum FanChartSVG {
    package static let width = 560.0, height = 250.0
    package static let margin = (left: 56.0, right: 12.0, top: 26.0, bottom: 34.0)

    /// The central intervals the forecast's levels allow: pairs (τ, 1 − τ), widest first.
    package static func bands(_ levels: [Double]) -> [(lower: Int, upper: Int, coverage: Double)] {
        levels.indices.compactMap { i -> (Int, Int, Double)? in
            guard levels[i] < 0.5 - 1e-9,
                  let j = levels.firstIndex(where: { abs($0 - (1 - levels[i])) < 1e-9 }) else { return nil }
            return (i, j, levels[j] - levels[i])
        }.sorted { $0.2 > $1.2 }
    }

    /// `history`: values at the grid positions just before the forecast's first step, `actuals`:
    /// values over the forecast's steps (NaN where unknown); the title names `seriesID` and `model`.
    package static func render(seriesID: String, model: String, history: [Double], forecast f: ForecastDistribution,
                               actuals: [Double]) -> String {
        let n = history.count, horizon = f.horizon
        let plot = (x0: margin.left, x1: width - margin.right, y0: margin.top, y1: height - margin.bottom)
        // x is the step relative to the forecast origin: history at −n…−1, forecast at 0…H−1.
        let x = LinearScale(domain: (Double(-n), Double(max(horizon - 1, 0)) + 0.5), range: (plot.x0, plot.x1))
        let bands = bands(f.levels)
        var shown = history + actuals
        for band in bands { shown += f.quantiles.flatMap { [$0[band.lower], $0[band.upper]] } }
        let median = f.levels.firstIndex { abs($0 - 0.5) < 1e-9 }
        let center = median.map { k in f.quantiles.map { $0[k] } } ?? f.mean
        shown += center
        let y = LinearScale(covering: shown, range: (plot.y1, plot.y0))

        var body: [String] = []
        body += SVG.yGrid(y.ticks(count: 5), at: y.callAsFunction, from: plot.x0, to: plot.x1, label: { ReportNumber.short($0) })
        body.append(SVG.line((x(-0.5), plot.y0), (x(-0.5), plot.y1), cssClass: "origin"))
        for (rank, band) in bands.enumerated() {
            let upper = (0..<horizon).map { h in (x(Double(h)), y(f.quantiles[h][band.upper])) }
            let lower = (0..<horizon).reversed().map { h in (x(Double(h)), y(f.quantiles[h][band.lower])) }
            if upper.allSatisfy({ $0.1.isFinite }), lower.allSatisfy({ $0.1.isFinite }) {
                body.append(SVG.polygon(upper + lower, cssClass: "band band\(min(rank, 3))"))
            }
        }
        body.append(SVG.brokenLine(history.enumerated().map { i, v in
            v.isFinite ? (x(Double(i - n)), y(v)) : nil }, cssClass: "history"))
        body.append(SVG.brokenLine(center.enumerated().map { h, v in
            v.isFinite ? (x(Double(h)), y(v)) : nil }, cssClass: "median"))
        body.append(SVG.brokenLine(actuals.enumerated().map { h, v in
            v.isFinite ? (x(Double(h)), y(v)) : nil }, cssClass: "actual"))
        for (h, v) in actuals.enumerated() where v.isFinite {
            body.append(SVG.circle((x(Double(h)), y(v)), radius: 2, cssClass: "actual-dot"))
        }
        body += SVG.frame(x0: plot.x0, x1: plot.x1, y0: plot.y0, y1: plot.y1)
        let labels = xLabels(f.grid, historyCount: n)
        for (i, (label, step)) in labels.enumerated() {
            // The outer labels align inwards so that they stay inside the picture.
            let anchor: SVG.Anchor = labels.count > 1 && i == 0 ? .start : (labels.count > 1 && i == labels.count - 1 ? .end : .middle)
            body.append(SVG.text(label, at: (x(Double(step)), plot.y1 + 14), anchor: anchor, cssClass: "tick"))
        }
        body.append(SVG.text("\(seriesID) · \(model)", at: (plot.x0, 15), cssClass: "chart-title"))
        let legend = (median == nil ? "mean" : "median") + " · "
            + bands.reversed().map { ReportNumber.format($0.coverage * 100, decimals: 0) }.joined(separator: "/") + " % bands"
        body.append(SVG.text(legend, at: (plot.x1, 15), anchor: .end, cssClass: "tick"))
        return SVG.document(width: width, height: height,
                            title: "\(seriesID): \(model) forecast against actuals", cssClass: "fan", body)
    }

    /// Labels at the history's start, the origin and the horizon's end: times on a time axis
    /// (date and hour:minute), indices otherwise.
    package static func xLabels(_ grid: TimeGrid, historyCount n: Int) -> [(String, Int)] {
        var steps = [0, grid.count - 1]
        if n > 0 { steps.insert(-n, at: 0) }
        return Array(Set(steps)).sorted().map { s in
            let p = grid.start + Int64(s) * grid.step
            guard grid.axis == .time else { return (String(p), s) }
            let iso = Timestamp.format(p) // YYYY-MM-DDTHH:MM:SSZ
            let date = iso.dropFirst(5).prefix(5), time = iso.dropFirst(11).prefix(5)
            return ("\(date) \(time)", s)
        }
    }
}
