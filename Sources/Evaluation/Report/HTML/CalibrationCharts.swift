import Calibration
import Markup

/// The calibration diagnostics: PIT histogram against the uniform density, and the
/// reliability diagram against the diagonal.
enum CalibrationCharts {
    static let size = 230.0
    static let margin = (left: 40.0, right: 10.0, top: 24.0, bottom: 32.0)

    /// Bars of density (count / total × bins), so that the uniform line sits at 1 whatever the bins.
    static func pit(_ h: PITHistogram, model: String) -> String {
        let plot = (x0: margin.left, x1: size - margin.right, y0: margin.top, y1: size - margin.bottom)
        let bins = h.counts.count
        let densities = h.counts.map { h.total > 0 ? Double($0) / Double(h.total) * Double(bins) : 0 }
        let y = LinearScale(domain: (0, max((densities.max() ?? 1) * 1.1, 1.5)), range: (plot.y1, plot.y0))
        let x = LinearScale(domain: (0, 1), range: (plot.x0, plot.x1))
        var body: [String] = []
        body += SVG.yGrid(y.ticks(count: 4), at: y.callAsFunction, from: plot.x0, to: plot.x1, label: { ReportNumber.short($0) })
        for (b, d) in densities.enumerated() where b + 1 < h.edges.count {
            let left = x(h.edges[b]) + 0.5, right = x(h.edges[b + 1]) - 0.5
            body.append(SVG.rect(x: left, y: y(d), width: right - left, height: plot.y1 - y(d), cssClass: "bar"))
        }
        body.append(SVG.line((plot.x0, y(1)), (plot.x1, y(1)), cssClass: "reference"))
        body += axes(plot, x: x)
        body.append(SVG.text("PIT (n = \(h.total))", at: (plot.x0, 14), cssClass: "chart-title"))
        return SVG.document(width: size, height: size, title: "\(model): PIT histogram", cssClass: "diag", body)
    }

    /// Observed frequency of y ≤ q̂_τ against τ; levels without samples are left out.
    static func reliability(_ r: ReliabilityDiagram, model: String) -> String {
        let plot = (x0: margin.left, x1: size - margin.right, y0: margin.top, y1: size - margin.bottom)
        let x = LinearScale(domain: (0, 1), range: (plot.x0, plot.x1))
        let y = LinearScale(domain: (0, 1), range: (plot.y1, plot.y0))
        var body: [String] = []
        body += SVG.yGrid([0.25, 0.5, 0.75, 1.0], at: y.callAsFunction, from: plot.x0, to: plot.x1,
                          label: { ReportNumber.format($0, decimals: 2) })
        body.append(SVG.line((x(0), y(0)), (x(1), y(1)), cssClass: "reference"))
        let points = zip(r.levels, r.observedFrequency).filter { $0.1.isFinite && $0.0.isFinite }.map { (x($0.0), y($0.1)) }
        body.append(SVG.polyline(points, cssClass: "observed"))
        body += points.map { SVG.circle($0, radius: 3, cssClass: "observed-dot") }
        body += axes(plot, x: x)
        body.append(SVG.text("reliability", at: (plot.x0, 14), cssClass: "chart-title"))
        return SVG.document(width: size, height: size, title: "\(model): reliability diagram", cssClass: "diag", body)
    }

    private static func axes(_ plot: (x0: Double, x1: Double, y0: Double, y1: Double), x: LinearScale) -> [String] {
        SVG.frame(x0: plot.x0, x1: plot.x1, y0: plot.y0, y1: plot.y1)
            + SVG.xTicks([0.0, 0.5, 1.0], at: x.callAsFunction, below: plot.y1, label: { ReportNumber.format($0, decimals: 1) })
    }
}
