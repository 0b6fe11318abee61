import Foundation

/// Fourier terms sin(2πkt/P), cos(2πkt/P) for k = 1…`harmonics`.
///
/// `t` is the position on the axis itself (Unix seconds, or the step index), measured from the
/// fixed epoch 0, so a model trained on one window and scored on another sees the same phase.
public struct FourierTerm: Sendable, Hashable, Codable {
    /// The period P in axis units (seconds on a time axis, steps on an index axis).
    package var period: Double
    package var harmonics: Int

    package init(period: Double, harmonics: Int) {
        self.period = period
        self.harmonics = harmonics
    }

    /// A period given in steps of `stepSeconds` each, for a time axis.
    package static func steps(_ steps: Double, of stepSeconds: Int64, harmonics: Int) -> FourierTerm {
        FourierTerm(period: steps * Double(stepSeconds), harmonics: harmonics)
    }

    /// The period as written in column names: an integer when it is one (`86400`), else `7.5`.
    var periodLabel: String {
        if period == period.rounded(), abs(period) < 1e15 { return String(Int64(period)) }
        return String(period)
    }

    /// The phase 2πkt/P, reduced modulo the period before scaling so that large Unix times keep
    /// full precision (k·t is exact in a Double for every valid position and harmonic).
    @inline(__always)
    static func angle(harmonic k: Int, position t: Int64, period: Double) -> Double {
        var r = fmod(Double(k) * Double(t), period)
        if r < 0 { r += period }
        return 2 * Double.pi * r / period
    }
}

/// How hour-of-day and day-of-week are encoded.
public enum CalendarEncoding: String, Sendable, Hashable, Codable {
    /// One 0/1 column per level except the first (hour 0, Monday), which is the baseline.
    case oneHot = "one_hot"
    /// A sin/cos pair on the unit circle: hour uses the local time of day to the second,
    /// weekday uses the whole local day.
    case cyclic
}
