import Foundation
import Markup

/// A small line/scatter chart drawn as inline SVG (no script, no external resource), from the
/// report kit's elements, scales and axes (`Markup`), as the training report's charts are.
struct SVGChart {
    struct Line {
        var points: [(x: Double, y: Double)]
        var cssClass: String
        /// Draw as a step line (value holds until the next x).
        var step = false
    }

    /// A filled range between a lower and an upper value at each x.
    struct Band {
        var points: [(x: Double, low: Double, high: Double)]
        var cssClass: String
    }

    struct Marker {
        var x: Double
        var y: Double
        var cssClass: String
        var label: String?
        var radius = 4.0
    }

    var width = 900.0
    var height = 260.0
    var title: String
    var xLabel: String
    var yLabel: String
    var lines: [Line] = []
    var markers: [Marker] = []
    var bands: [Band] = []
    /// Names and classes listed top right.
    var legend: [(name: String, cssClass: String)] = []
    /// Formats x tick values (e.g. days).
    var xFormat: (Double) -> String = { ReportNumber.compact($0) }

    /// Room on the right for point labels.
    var right = 16.0
    /// Plot y on log10(1 + y) (values ≥ 0 spanning orders of magnitude, zero included).
    var logY = false
    private let left = 64.0, top = 28.0, bottom = 40.0

    func render() -> String {
        let xs = lines.flatMap { $0.points.map(\.x) } + markers.map(\.x) + bands.flatMap { $0.points.map(\.x) }
        let ys = (lines.flatMap { $0.points.map(\.y) } + markers.map(\.y) + bands.flatMap { $0.points.map(\.high) }).map(scaleY)
        let finiteX = xs.filter(\.isFinite), finiteY = ys.filter(\.isFinite)
        guard let x0 = finiteX.min(), let x1 = finiteX.max(), let y1raw = finiteY.max() else {
            return "<p class=\"note\">\(HTMLText.escape(title)): nothing to plot</p>"
        }
        let y0 = min(0, finiteY.min() ?? 0)
        let y1 = y1raw > y0 ? y1raw * 1.05 : y0 + 1
        let plot = (x0: left, x1: width - right, y0: top, y1: height - bottom)
        let x = LinearScale(domain: x1 > x0 ? (x0, x1) : (x0 - 1, x1 + 1), range: (plot.x0, plot.x1))
        let y = LinearScale(domain: (y0, y1), range: (plot.y1, plot.y0))
        func px(_ v: Double) -> Double { x(v) }
        func py(_ v: Double) -> Double { y(scaleY(v)) }

        var body: [String] = []
        body.append(SVG.text(title, at: (left, 16), cssClass: "title"))
        // Ticks in data values; on a log axis placed at log10(1 + t).
        let yTicks = logY ? Self.logTicks(y1) : y.ticks(count: 5)
        body += SVG.yGrid(yTicks, at: py, from: plot.x0, to: plot.x1, label: ReportNumber.compact)
        body += SVG.xTicks(x.ticks(count: 5), at: px, below: plot.y1, label: xFormat)
        body.append(SVG.text(xLabel, at: ((plot.x0 + plot.x1) / 2, height - 6), anchor: .middle, cssClass: "axis"))
        body.append(SVG.text(yLabel, at: (12, (plot.y0 + plot.y1) / 2), anchor: .middle, cssClass: "axis", rotated: -90))
        for band in bands {
            let pts = band.points.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }
            let upper = pts.map { (px($0.x), py($0.high)) }
            let lower = pts.reversed().map { (px($0.x), py($0.low)) }
            body.append(SVG.polygon(upper + lower, cssClass: band.cssClass))
        }
        for line in lines {
            var pts: [SVG.Point] = []
            var previous: (x: Double, y: Double)?
            for p in line.points where p.x.isFinite && p.y.isFinite {
                if line.step, let q = previous { pts.append((px(p.x), py(q.y))) }
                pts.append((px(p.x), py(p.y)))
                previous = p
            }
            body.append(SVG.polyline(pts, cssClass: line.cssClass))
        }
        for (k, entry) in legend.enumerated() {
            let ly = top + 4 + Double(k) * 14
            let lx = width - right - 130
            body.append(SVG.rect(x: lx, y: ly - 8, width: 10, height: 10, cssClass: entry.cssClass))
            body.append(SVG.text(entry.name, at: (lx + 14, ly + 1), cssClass: "tick"))
        }
        for m in markers where m.x.isFinite && m.y.isFinite {
            body.append(SVG.circle((px(m.x), py(m.y)), radius: m.radius, cssClass: m.cssClass))
            if let label = m.label {
                body.append(SVG.text(label, at: (px(m.x) + 6, py(m.y) - 6), cssClass: "tick"))
            }
        }
        return SVG.document(width: width, height: height, title: title, cssClass: "chart", body)
    }

    private func scaleY(_ y: Double) -> Double { logY ? log10(1 + max(y, 0)) : y }

    /// 0, 1, 10, 100, … up to the top of a log10(1 + y) axis whose top is `top`.
    static func logTicks(_ top: Double) -> [Double] {
        var out = [0.0]
        var t = 1.0
        while log10(1 + t) <= top, out.count < 12 { out.append(t); t *= 10 }
        return out
    }
}
