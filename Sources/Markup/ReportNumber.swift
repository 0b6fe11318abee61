import Foundation

/// Numbers as the report prints them: short, no exponent for ordinary magnitudes, "–" for none.
enum ReportNumber {
    /// Four significant digits (at most `decimals` after the point when given).
    static func format(_ x: Double, decimals: Int? = nil) -> String {
        guard x.isFinite else { return x.isNaN ? "–" : (x > 0 ? "∞" : "−∞") }
        if let decimals { return String(format: "%.\(decimals)f", x) }
        let magnitude = abs(x)
        if magnitude != 0, magnitude < 1e-3 || magnitude >= 1e7 { return String(format: "%.3e", x) }
        let digits = magnitude == 0 ? 0 : max(0, 3 - Int(log10(magnitude).rounded(.down)))
        return String(format: "%.\(digits)f", x)
    }

    /// Like `format`, without trailing zeros after the point: axis ticks and levels ("0.025", "4").
    static func short(_ x: Double) -> String {
        var s = format(x)
        guard s.contains("."), !s.contains("e") else { return s }
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A share as a percentage with one decimal.
    static func percent(_ x: Double) -> String {
        x.isFinite ? String(format: "%.1f %%", x * 100) : "–"
    }

    /// A coordinate in an SVG attribute: two decimals are finer than a pixel.
    static func coordinate(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return String(format: "%.2f", x)
    }
}
