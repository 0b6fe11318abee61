import Foundation

/// The few SVG elements the charts draw, as strings. Class names refer to the page's inline CSS.
package enum SVG {
    package typealias Point = (x: Double, y: Double)

    /// An `<svg>` element with a viewBox of `width × height` and an accessible title.
    package static func document(width: Double, height: Double, title: String, cssClass: String, _ body: [String]) -> String {
        let w = ReportNumber.coordinate(width), h = ReportNumber.coordinate(height)
        return "<svg class=\"\(cssClass)\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\">"
            + "<title>\(HTMLText.escape(title))</title>" + body.joined() + "</svg>"
    }

    package static func line(_ a: Point, _ b: Point, cssClass: String) -> String {
        "<line class=\"\(cssClass)\" x1=\"\(c(a.x))\" y1=\"\(c(a.y))\" x2=\"\(c(b.x))\" y2=\"\(c(b.y))\"/>"
    }

    /// An open line through `points`; empty for fewer than two points.
    package static func polyline(_ points: [Point], cssClass: String) -> String {
        guard points.count >= 2 else { return "" }
        return "<polyline class=\"\(cssClass)\" points=\"\(list(points))\"/>"
    }

    /// One polyline per run of points between gaps (nil), so that missing values break the line.
    package static func brokenLine(_ points: [Point?], cssClass: String) -> String {
        var runs: [[Point]] = [[]]
        for p in points {
            if let p { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.map { run in run.count == 1 ? circle(run[0], radius: 1.5, cssClass: cssClass + " dot")
            : polyline(run, cssClass: cssClass) }.joined()
    }

    package static func polygon(_ points: [Point], cssClass: String) -> String {
        guard points.count >= 3 else { return "" }
        return "<polygon class=\"\(cssClass)\" points=\"\(list(points))\"/>"
    }

    package static func rect(x: Double, y: Double, width: Double, height: Double, cssClass: String) -> String {
        "<rect class=\"\(cssClass)\" x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(width, 0)))\" height=\"\(c(max(height, 0)))\"/>"
    }

    package static func circle(_ p: Point, radius: Double, cssClass: String) -> String {
        "<circle class=\"\(cssClass)\" cx=\"\(c(p.x))\" cy=\"\(c(p.y))\" r=\"\(c(radius))\"/>"
    }

    package enum Anchor: String { case start, middle, end }

    /// `rotated` turns the text by that many degrees about `p` (a vertical axis title: −90).
    package static func text(_ s: String, at p: Point, anchor: Anchor = .start, cssClass: String = "label",
                             rotated: Double? = nil) -> String {
        let turn = rotated.map { " transform=\"rotate(\(c($0)) \(c(p.x)) \(c(p.y)))\"" } ?? ""
        return "<text class=\"\(cssClass)\" x=\"\(c(p.x))\" y=\"\(c(p.y))\" text-anchor=\"\(anchor.rawValue)\"\(turn)>\(HTMLText.escape(s))</text>"
    }

    // MARK: Axes

    /// A horizontal grid line from `x0` to `x1` at each tick's position, labelled left of `x0`.
    package static func yGrid(_ ticks: [Double], at position: (Double) -> Double, from x0: Double, to x1: Double,
                              label: (Double) -> String) -> [String] {
        ticks.flatMap { t in
            [line((x0, position(t)), (x1, position(t)), cssClass: "grid"),
             text(label(t), at: (x0 - 4, position(t) + 3), anchor: .end, cssClass: "tick")]
        }
    }

    /// Tick labels centred under each tick's position, below the plot's bottom edge `y`.
    package static func xTicks(_ ticks: [Double], at position: (Double) -> Double, below y: Double,
                               label: (Double) -> String) -> [String] {
        ticks.map { t in text(label(t), at: (position(t), y + 14), anchor: .middle, cssClass: "tick") }
    }

    /// The bottom and left axis lines of a plot area.
    package static func frame(x0: Double, x1: Double, y0: Double, y1: Double) -> [String] {
        [line((x0, y1), (x1, y1), cssClass: "axis"), line((x0, y0), (x0, y1), cssClass: "axis")]
    }

    private static func c(_ x: Double) -> String { ReportNumber.coordinate(x) }
    private static func list(_ points: [Point]) -> String {
        points.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ")
    }
}

/// A linear map from data values to pixels.
package struct LinearScale {
    package var domain: (Double, Double)
    package var range: (Double, Double)

    /// A scale over `values` (finite ones), padded by `padding` of the span; a flat or empty
    /// domain is widened so that the map stays defined.
    package init(covering values: [Double], range: (Double, Double), padding: Double = 0.05) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1) {
            let pad = max(abs(lo) * 0.1, 1)
            lo -= pad
            hi += pad
        } else {
            let pad = (hi - lo) * padding
            lo -= pad
            hi += pad
        }
        self.init(domain: (lo, hi), range: range)
    }

    package init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = domain
        self.range = range
    }

    package func callAsFunction(_ x: Double) -> Double {
        range.0 + (x - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
    }

    /// About `count` round values (1, 2 or 5 × 10^k apart) inside the domain.
    package func ticks(count: Int = 5) -> [Double] {
        let span = domain.1 - domain.0
        guard span > 0, span.isFinite, count > 0 else { return [] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        // Integer multiples of the step, so that no rounding error accumulates along the axis.
        var k = (domain.0 / step).rounded(.up), out: [Double] = []
        while k * step <= domain.1 + step * 1e-9, out.count < 50 {
            out.append(k == 0 ? 0 : k * step)
            k += 1
        }
        return out
    }
}
