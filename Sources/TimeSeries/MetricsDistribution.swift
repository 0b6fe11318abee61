/// Accuracy of one central prediction interval formed by a symmetric pair of quantile levels.
public struct IntervalAccuracy: Sendable, Hashable, Codable {
    /// The lower quantile level τ (< 0.5).
    public var lowerLevel: Double
    /// The upper quantile level, 1 − τ.
    public var upperLevel: Double
    /// The interval's nominal coverage 1 − α, with α = 2τ (0.05/0.95 → 0.9).
    public var nominalCoverage: Double
    /// Share of the observed actuals inside the interval.
    public var coverage: Double
    /// Mean interval (Winkler) score at α = 2τ, unscaled.
    public var intervalScore: Double
    /// `intervalScore` divided by the in-sample scale; nil when no scale was given.
    public var msis: Double?
}

/// Accuracy of a `ForecastDistribution` against actuals: point, quantile and interval metrics.
public struct DistributionAccuracy: Sendable, Hashable, Codable {
    /// How many actuals were observed (not `.nan`) and scored.
    public var observedCount: Int
    /// MAE of the distribution's mean.
    public var mae: Double
    /// RMSE of the distribution's mean.
    public var rmse: Double
    /// M4 sMAPE of the distribution's mean, in [0, 200].
    public var smape: Double
    /// MASE of the distribution's mean; nil when no scale was given.
    public var mase: Double?
    /// The distribution's quantile levels.
    public var levels: [Double]
    /// Pinball loss per level, in the order of `levels`.
    public var pinball: [Double]
    /// Pinball loss averaged over the levels.
    public var meanPinball: Double
    /// Quantile approximation of the CRPS, (2/K) Σ_k pinball_k (see `Accuracy.crps`).
    public var crps: Double
    /// One entry per symmetric level pair (τ, 1 − τ), widest first.
    public var intervals: [IntervalAccuracy]
}

extension Accuracy {
    /// Scores `forecast` against `actuals` (one per horizon step; `.nan` = not observed).
    ///
    /// Point metrics use the distribution's mean. Every pair of levels τ < 0.5 and 1 − τ (within
    /// 1e-9) forms a central interval with α = 2τ. `scale` (see `seasonalNaiveScale`) enables
    /// MASE and MSIS; pass nil to skip them, e.g. for a constant training series.
    public static func evaluate(
        _ forecast: ForecastDistribution, actuals: [Double], scale: Double? = nil
    ) throws(MetricError) -> DistributionAccuracy {
        guard forecast.mean.count == actuals.count else {
            throw MetricError(.lengthMismatch, "\(actuals.count) actuals for a forecast of \(forecast.mean.count) steps")
        }
        let levels = forecast.levels
        let observedCount = try checkQuantileTable(actuals, forecast.quantiles, levels)
        let validatedScale: Double?
        if let scale { validatedScale = try validScale(scale) } else { validatedScale = nil }

        let pinball = try pinballPerLevel(actuals: actuals, quantiles: forecast.quantiles, levels: levels)
        var pinballTotal = 0.0
        for loss in pinball { pinballTotal += loss }
        let meanPinball = pinballTotal / Double(levels.count)

        var intervals: [IntervalAccuracy] = []
        for (lowerIndex, lowerLevel) in levels.enumerated() where lowerLevel < 0.5 {
            guard let upperIndex = levels.firstIndex(where: { abs($0 - (1 - lowerLevel)) < 1e-9 }) else { continue }
            let alpha = 2 * lowerLevel
            let penalty = 2 / alpha
            let score = try intervalMeanOfTable(actuals, forecast.quantiles, lowerIndex, upperIndex) { y, l, u in
                winkler(y, l, u, penalty: penalty)
            }
            let covered = try intervalMeanOfTable(actuals, forecast.quantiles, lowerIndex, upperIndex) { y, l, u in
                (y >= l && y <= u) ? 1 : 0
            }
            intervals.append(IntervalAccuracy(
                lowerLevel: lowerLevel, upperLevel: levels[upperIndex], nominalCoverage: 1 - alpha,
                coverage: covered, intervalScore: score, msis: validatedScale.map { score / $0 }))
        }

        let mae = try mae(actuals: actuals, forecast: forecast.mean)
        return DistributionAccuracy(
            observedCount: observedCount,
            mae: mae,
            rmse: try rmse(actuals: actuals, forecast: forecast.mean),
            smape: try smape(actuals: actuals, forecast: forecast.mean),
            mase: validatedScale.map { mae / $0 },
            levels: levels,
            pinball: pinball,
            meanPinball: meanPinball,
            crps: 2 * meanPinball,
            intervals: intervals)
    }

    /// Scores `forecast`, scaling MASE and MSIS by the seasonal-naive MAE of `insample`.
    ///
    /// Throws whatever `seasonalNaiveScale(insample:season:)` throws (e.g. `.zeroScale` for a
    /// training series that repeats exactly); call `evaluate(_:actuals:scale:)` with nil to score
    /// such a series without scaled metrics.
    public static func evaluate(
        _ forecast: ForecastDistribution, actuals: [Double], insample: [Double], season: Int = 1
    ) throws(MetricError) -> DistributionAccuracy {
        try evaluate(forecast, actuals: actuals, scale: try seasonalNaiveScale(insample: insample, season: season))
    }

    /// Like `intervalMean`, reading the bounds from two columns of an already validated table.
    static func intervalMeanOfTable(
        _ actuals: [Double], _ quantiles: [[Double]], _ lowerIndex: Int, _ upperIndex: Int,
        _ term: (Double, Double, Double) -> Double
    ) throws(MetricError) -> Double {
        var sum = 0.0
        var count = 0
        for t in actuals.indices where !actuals[t].isNaN {
            let l = quantiles[t][lowerIndex], u = quantiles[t][upperIndex]
            guard l <= u else { throw MetricError(.crossedInterval, "interval at step \(t + 1) has lower \(l) > upper \(u)") }
            sum += term(actuals[t], l, u)
            count += 1
        }
        return sum / Double(count)
    }
}
