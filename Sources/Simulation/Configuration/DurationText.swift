import Foundation

/// Durations as written on the command line: `8s`, `43ms`, `0.65s`, `5m`, `3d`, or a bare number
/// of seconds.
package enum DurationText {
    static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]

    /// Seconds, or nil when `text` is not a finite, non-negative duration.
    package static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        // "ms" must be tried before "s" and "m".
        for (suffix, scale) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0 else { return nil }
            // Milliseconds divide (43 / 1000 is the double nearest 0.043; 43 × 0.001 is not).
            return scale < 1 ? v / (1 / scale) : v * scale
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v
    }

    /// `seconds` written back compactly (`8 s`, `43 ms`, `3 d`), for help texts and reports.
    package static func describe(_ seconds: Double) -> String {
        if seconds == 0 { return "0 s" }
        if seconds < 1 { return "\(trim(seconds * 1000)) ms" }
        for (suffix, scale) in [("d", 86_400.0), ("h", 3600), ("m", 60)] where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
            return "\(trim(seconds / scale)) \(suffix)"
        }
        return "\(trim(seconds)) s"
    }

    private static func trim(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}
