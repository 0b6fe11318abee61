import Foundation

/// A small line/scatter chart drawn as inline SVG (no script, no external resource).
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
    var xFormat: (Double) -> String = { SVGChart.number($0) }

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
            return "<p class=\"note\">\(HTML.escape(title)): nothing to plot</p>"
        }
        let y0 = min(0, finiteY.min() ?? 0)
        let y1 = y1raw > y0 ? y1raw * 1.05 : y0 + 1
        let xr = x1 > x0 ? (x0, x1) : (x0 - 1, x1 + 1)
        func px(_ x: Double) -> Double { left + (x - xr.0) / (xr.1 - xr.0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (scaleY(y) - y0) / (y1 - y0) * (height - top - bottom) }

        var body: [String] = []
        body.append("<text x=\"\(left)\" y=\"16\" class=\"title\">\(HTML.escape(title))</text>")
        let yTicks = logY ? Self.logTicks(y1) : Self.ticks(y0, y1)
        for t in yTicks {
            let y = py(t)
            body.append("<line x1=\"\(c(left))\" y1=\"\(c(y))\" x2=\"\(c(width - right))\" y2=\"\(c(y))\" class=\"grid\"/>")
            body.append("<text x=\"\(c(left - 6))\" y=\"\(c(y + 4))\" class=\"tick\" text-anchor=\"end\">\(Self.number(t))</text>")
        }
        for t in Self.ticks(xr.0, xr.1) {
            let x = px(t)
            body.append("<text x=\"\(c(x))\" y=\"\(c(height - bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(xFormat(t)))</text>")
        }
        body.append("<text x=\"\(c((left + width - right) / 2))\" y=\"\(c(height - 6))\" class=\"axis\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>")
        body.append("<text x=\"12\" y=\"\(c((top + height - bottom) / 2))\" class=\"axis\" text-anchor=\"middle\" "
                    + "transform=\"rotate(-90 12 \(c((top + height - bottom) / 2)))\">\(HTML.escape(yLabel))</text>")
        for band in bands {
            let pts = band.points.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }
            guard !pts.isEmpty else { continue }
            let upper = pts.map { "\(c(px($0.x))),\(c(py($0.high)))" }
            let lower = pts.reversed().map { "\(c(px($0.x))),\(c(py($0.low)))" }
            body.append("<polygon points=\"\((upper + lower).joined(separator: " "))\" class=\"\(band.cssClass)\"/>")
        }
        for line in lines {
            var pts: [String] = []
            var previous: (x: Double, y: Double)?
            for p in line.points where p.x.isFinite && p.y.isFinite {
                if line.step, let q = previous { pts.append("\(c(px(p.x))),\(c(py(q.y)))") }
                pts.append("\(c(px(p.x))),\(c(py(p.y)))")
                previous = p
            }
            if !pts.isEmpty { body.append("<polyline points=\"\(pts.joined(separator: " "))\" class=\"\(line.cssClass)\"/>") }
        }
        for (k, entry) in legend.enumerated() {
            let y = top + 4 + Double(k) * 14
            let x = width - right - 130
            body.append("<rect x=\"\(c(x))\" y=\"\(c(y - 8))\" width=\"10\" height=\"10\" class=\"\(entry.cssClass)\"/>")
            body.append("<text x=\"\(c(x + 14))\" y=\"\(c(y + 1))\" class=\"tick\">\(HTML.escape(entry.name))</text>")
        }
        for m in markers where m.x.isFinite && m.y.isFinite {
            body.append("<circle cx=\"\(c(px(m.x)))\" cy=\"\(c(py(m.y)))\" r=\"\(c(m.radius))\" class=\"\(m.cssClass)\"/>")
            if let label = m.label {
                body.append("<text x=\"\(c(px(m.x) + 6))\" y=\"\(c(py(m.y) - 6))\" class=\"tick\">\(HTML.escape(label))</text>")
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" "
            + "height=\"\(c(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">" + body.joined() + "</svg>"
    }

    private func c(_ x: Double) -> String { String(format: "%.1f", x) }

    private func scaleY(_ y: Double) -> Double { logY ? log10(1 + max(y, 0)) : y }

    /// 0, 1, 10, 100, … up to the top of a log10(1 + y) axis whose top is `top`.
    static func logTicks(_ top: Double) -> [Double] {
        var out = [0.0]
        var t = 1.0
        while log10(1 + t) <= top, out.count < 12 { out.append(t); t *= 10 }
        return out
    }

    /// About five round tick values covering [a, b].
    static func ticks(_ a: Double, _ b: Double) -> [Double] {
        guard b > a, a.isFinite, b.isFinite else { return [a] }
        let raw = (b - a) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = (a / step).rounded(.up) * step
        while t <= b + step * 1e-9, out.count < 12 { out.append(t); t += step }
        return out
    }

    /// Compact numbers for ticks and tables: 3 significant digits, k/M suffixes above 10⁴.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let a = abs(x)
        if a >= 1e6 { return String(format: "%.3gM", x / 1e6) }
        if a >= 1e4 { return String(format: "%.3gk", x / 1e3) }
        if a == 0 { return "0" }
        if a >= 1000 { return String(format: "%.0f", x) }
        return String(format: "%.3g", x)
    }
}

enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
