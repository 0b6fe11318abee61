import Foundation

/// Numbers as the report prints them: short, no exponent for ordinary magnitudes, "–" for none.
package enum ReportNumber {
    /// Four significant digits (at most `decimals` after the point when given).
    package static func format(_ x: Double, decimals: Int? = nil) -> String {
        guard x.isFinite else { return x.isNaN ? "–" : (x > 0 ? "∞" : "−∞") }
        if let decimals { return String(format: "%.\(decimals)f", x) }
        let magnitude = abs(x)
        if magnitude != 0, magnitude < 1e-3 || magnitude >= 1e7 { return String(format: "%.3e", x) }
        let digits = magnitude == 0 ? 0 : max(0, 3 - Int(log10(magnitude).rounded(.down)))
        return String(format: "%.\(digits)f", x)
    }

    /// Like `format`, without trailing zeros after the point: axis ticks and levels ("0.025", "4").
    package static func short(_ x: Double) -> String {
        var s = format(x)
        guard s.contains("."), !s.contains("e") else { return s }
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A share as a percentage with one decimal.
    package static func percent(_ x: Double) -> String {
        x.isFinite ? String(format: "%.1f %%", x * 100) : "–"
    }

    /// A coordinate in an SVG attribute: two decimals are finer than a pixel.
    package static func coordinate(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return String(format: "%.2f", x)
    }

    /// Compact numbers for ticks and tables: 3 significant digits, k/M suffixes above 10⁴
    /// (the simulation report's).
    package static func compact(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        let a = abs(x)
        if a >= 1e6 { return String(format: "%.3gM", x / 1e6) }
        if a >= 1e4 { return String(format: "%.3gk", x / 1e3) }
        if a == 0 { return "0" }
        if a >= 1000 { return String(format: "%.0f", x) }
        return String(format: "%.3g", x)
    }
}
