/// How every window is normalised before the network sees it (model format 2).
///
/// Each input window is divided by its own *level* (the mean absolute observed value of its last
/// `levelSpan` steps), and the network predicts the scaled residual relative to a *baseline*: the
/// seasonal-naive value of each forecast step (or the level itself), also divided by the level.
/// Forecasts are restored as `(network output + baseline) × level`. The network therefore starts
/// from seasonal naive and only learns corrections, on a scale that does not drift with the series'
/// trend or magnitude: a series ×1000 gives exactly ×1000 forecasts.
public struct LSTMNormalisation: Sendable, Hashable, Codable {
    /// What the network's output is added to before the level is restored.
    public enum Baseline: String, Sendable, Hashable, Codable, CaseIterable {
        /// The seasonal-naive forecast of each step (the same hour one season earlier).
        case seasonalNaive = "seasonal-naive"
        /// The window's level (the network predicts y / level − 1).
        case level
    }

    /// The seasonal period (1 = no season: the baseline is the last observed value).
    public var season: Int
    public var baseline: Baseline

    public init(season: Int, baseline: Baseline) {
        self.season = max(1, season)
        self.baseline = baseline
    }

    /// Steps whose mean absolute value is the window's level: one season, or up to 24 steps when
    /// there is no season.
    func levelSpan(window: Int) -> Int { season > 1 ? season : max(1, min(window, 24)) }

    /// How many past values scoring must keep so that it reads exactly what training read.
    func history(window: Int) -> Int { max(window, levelSpan(window: window), season) }
}

/// The level and baseline of one window ending before `end` (the forecast origin).
struct LSTMWindowScale {
    /// The divisor of the window (positive and finite).
    var level: Double
    /// The baseline of each forecast step, in level units.
    var baseline: [Double]

    /// Seasonal-naive look-ups go back at most this many seasons to find an observed value.
    static let seasonsBack = 3

    init(values: [Double], end: Int, window: Int, horizon: Int, normalisation n: LSTMNormalisation) {
        let end = min(end, values.count)
        func meanAbsolute(_ span: Int) -> Double? {
            var sum = 0.0, count = 0
            for p in max(0, end - span)..<max(0, end) where values[p].isFinite {
                count += 1
                // A running mean cannot overflow even near Double's limit.
                sum += (abs(values[p]) - sum) / Double(count)
            }
            return count > 0 && sum > 0 && sum.isFinite ? sum : nil
        }
        // The last season; else the whole window (a stretch of zeros at the end); else 1.
        let level = meanAbsolute(n.levelSpan(window: window)) ?? meanAbsolute(n.history(window: window)) ?? 1
        self.level = level
        switch n.baseline {
        case .level:
            baseline = [Double](repeating: 1, count: horizon)
        case .seasonalNaive:
            baseline = (0..<horizon).map { k in
                var p = end - n.season + k % n.season
                for _ in 0..<Self.seasonsBack {
                    guard p >= 0, p >= end - n.history(window: window) else { break }
                    if p < end, values[p].isFinite {
                        return min(max(values[p] / level, -LSTMSeriesScaling.inputLimit), LSTMSeriesScaling.inputLimit)
                    }
                    p -= n.season
                }
                return 1
            }
        }
    }

    /// The network input for a raw value: divided by the level and clipped, or nil when missing.
    @inline(__always)
    func input(_ y: Double) -> Float? {
        guard y.isFinite else { return nil }
        return Float(min(max(y / level, -LSTMSeriesScaling.inputLimit), LSTMSeriesScaling.inputLimit))
    }

    /// The training target of step `k`: the scaled residual over the baseline, or NaN when missing.
    @inline(__always)
    func target(_ y: Double, step k: Int) -> Float {
        guard y.isFinite else { return .nan }
        let r = y / level - baseline[k]
        return Float(min(max(r, -LSTMSeriesScaling.targetLimit), LSTMSeriesScaling.targetLimit))
    }

    /// A network output of step `k` in raw units.
    @inline(__always)
    func restore(_ output: Double, step k: Int) -> Double { (output + baseline[k]) * level }
}
