/// Forecast accuracy metrics: pure functions over `[Double]`.
///
/// Conventions shared by every metric:
/// - **Missing actuals are skipped.** A `.nan` actual (the project's marker for a missing value)
///   drops that position from the sum *and* from the count `h`, so a metric is the average over
///   the observed positions only. The forecast at a skipped position is not inspected.
/// - **Bad input throws, never traps.** Empty arrays, mismatched lengths, all-missing actuals,
///   infinite actuals, and non-finite forecasts at observed positions throw `MetricError`.
/// - Scaled metrics (MASE, MSIS) divide by the in-sample seasonal-naive MAE as in the M4
///   competition; see `seasonalNaiveScale(insample:season:)`.
public enum Accuracy {}

// MARK: - Point forecasts

extension Accuracy {
    /// Mean absolute error: (1/h) Σ |y − ŷ| over the observed actuals.
    public static func mae(actuals: [Double], forecast: [Double]) throws(MetricError) -> Double {
        try meanOverObserved(actuals, forecast) { y, f in abs(y - f) }
    }

    /// Root mean squared error: √((1/h) Σ (y − ŷ)²) over the observed actuals.
    public static func rmse(actuals: [Double], forecast: [Double]) throws(MetricError) -> Double {
        try meanOverObserved(actuals, forecast) { y, f in (y - f) * (y - f) }.squareRoot()
    }

    /// Symmetric MAPE as defined by M4: (200/h) Σ |y − ŷ| / (|y| + |ŷ|), in [0, 200].
    ///
    /// A term whose actual and forecast are both 0 counts as 0 (a perfect forecast of zero
    /// demand), not as the undefined 0/0; it still counts towards `h`.
    public static func smape(actuals: [Double], forecast: [Double]) throws(MetricError) -> Double {
        try meanOverObserved(actuals, forecast) { y, f in
            let denominator = abs(y) + abs(f)
            return denominator == 0 ? 0 : 200 * abs(y - f) / denominator
        }
    }

    /// Mean absolute scaled error (M4): MAE divided by the in-sample seasonal-naive MAE.
    ///
    /// Throws `.zeroScale` when the training series repeats exactly every `season` steps and
    /// `.insufficientInsample` when it has no observed pair `season` steps apart.
    public static func mase(
        actuals: [Double], forecast: [Double], insample: [Double], season: Int = 1
    ) throws(MetricError) -> Double {
        let absoluteError = try mae(actuals: actuals, forecast: forecast)
        return absoluteError / (try seasonalNaiveScale(insample: insample, season: season))
    }

    /// MASE with a scale computed beforehand (reuse one scale across backtest folds).
    public static func mase(actuals: [Double], forecast: [Double], scale: Double) throws(MetricError) -> Double {
        let absoluteError = try mae(actuals: actuals, forecast: forecast)
        return absoluteError / (try validScale(scale))
    }

    /// The M4 scale of MASE and MSIS: mean |y_t − y_{t−m}| over the in-sample series.
    ///
    /// `season` is m (1 for non-seasonal data). Pairs with a missing (`.nan`) member are skipped,
    /// so the mean runs over the observed pairs only. Throws when `insample` has fewer than m + 1
    /// values or no observed pair, and `.zeroScale` when the mean is 0 (scaled errors would be
    /// infinite).
    public static func seasonalNaiveScale(insample: [Double], season: Int = 1) throws(MetricError) -> Double {
        guard season >= 1 else { throw MetricError(.invalidSeason, "season must be at least 1, got \(season)") }
        guard insample.count > season else {
            throw MetricError(.insufficientInsample,
                              "in-sample series has \(insample.count) values; season \(season) needs at least \(season + 1)")
        }
        var sum = 0.0
        var pairs = 0
        for t in season..<insample.count {
            let current = insample[t], previous = insample[t - season]
            if current.isNaN || previous.isNaN { continue }
            guard current.isFinite, previous.isFinite else {
                throw MetricError(.nonFiniteValue, "in-sample value at index \(current.isFinite ? t - season : t) is infinite")
            }
            sum += abs(current - previous)
            pairs += 1
        }
        guard pairs > 0 else {
            throw MetricError(.insufficientInsample,
                              "in-sample series has no pair of observed values \(season) steps apart")
        }
        guard sum > 0 else {
            throw MetricError(.zeroScale,
                              "in-sample seasonal-naive MAE is 0 (the series repeats exactly every \(season) steps); scaled metrics are undefined")
        }
        return sum / Double(pairs)
    }
}

// MARK: - Shared validation and accumulation

extension Accuracy {
    static func validScale(_ scale: Double) throws(MetricError) -> Double {
        guard scale.isFinite, scale >= 0 else { throw MetricError(.invalidScale, "scale must be finite and positive, got \(scale)") }
        guard scale > 0 else { throw MetricError(.zeroScale, "scale is 0; scaled metrics are undefined") }
        return scale
    }

    static func checkLevel(_ level: Double, _ what: String) throws(MetricError) {
        guard level > 0, level < 1 else { throw MetricError(.invalidLevel, "\(what) must lie in (0, 1), got \(level)") }
    }

    static func checkShape(_ actuals: [Double], _ other: [Double], _ name: String) throws(MetricError) {
        guard !actuals.isEmpty else { throw MetricError(.emptyInput, "actuals are empty") }
        guard other.count == actuals.count else {
            throw MetricError(.lengthMismatch, "\(actuals.count) actuals but \(other.count) \(name) values")
        }
    }

    /// The observed actual at `i`, nil when missing; throws on ±infinity.
    @inline(__always)
    static func observed(_ actuals: [Double], _ i: Int) throws(MetricError) -> Double? {
        let y = actuals[i]
        if y.isNaN { return nil }
        guard y.isFinite else { throw MetricError(.nonFiniteValue, "actual at index \(i) is \(y)") }
        return y
    }

    @inline(__always)
    static func finite(_ value: Double, _ name: String, _ i: Int) throws(MetricError) -> Double {
        guard value.isFinite else { throw MetricError(.nonFiniteValue, "\(name) at index \(i) is \(value) where the actual is observed") }
        return value
    }

    static func noObserved() -> MetricError {
        MetricError(.noObservedValues, "every actual is missing (NaN); nothing to score")
    }

    /// (1/h) Σ term(y, ŷ) over the observed actuals, without allocating.
    @inline(__always)
    static func meanOverObserved(
        _ actuals: [Double], _ forecast: [Double], _ term: (Double, Double) -> Double
    ) throws(MetricError) -> Double {
        try checkShape(actuals, forecast, "forecast")
        var sum = 0.0
        var count = 0
        for i in actuals.indices {
            guard let y = try observed(actuals, i) else { continue }
            sum += term(y, try finite(forecast[i], "forecast", i))
            count += 1
        }
        guard count > 0 else { throw noObserved() }
        return sum / Double(count)
    }
}
