// Quantile and interval metrics. Quantile tables are laid out as in `ForecastDistribution`:
// `quantiles[t][k]` is the forecast quantile at `levels[k]` for position `t` of `actuals`.

// MARK: - Quantiles

extension Accuracy {
    /// Pinball (quantile) loss at one level τ: (1/h) Σ ρ_τ(y − q), ρ_τ(u) = max(τu, (τ − 1)u).
    public static func pinball(actuals: [Double], quantile: [Double], level: Double) throws(MetricError) -> Double {
        try checkLevel(level, "quantile level")
        return try meanOverObserved(actuals, quantile) { y, q in rho(y - q, level) }
    }

    /// Pinball loss per level, in the order of `levels`.
    public static func pinballPerLevel(
        actuals: [Double], quantiles: [[Double]], levels: [Double]
    ) throws(MetricError) -> [Double] {
        let observedCount = try checkQuantileTable(actuals, quantiles, levels)
        var sums = [Double](repeating: 0, count: levels.count)
        // Step-major: each quantile row is read once, in memory order.
        for t in actuals.indices where !actuals[t].isNaN {
            let y = actuals[t], row = quantiles[t]
            for k in levels.indices { sums[k] += rho(y - row[k], levels[k]) }
        }
        for k in sums.indices { sums[k] /= Double(observedCount) }
        return sums
    }

    /// Pinball loss averaged over the levels: (1/K) Σ_k pinball_{τ_k}.
    public static func pinball(actuals: [Double], quantiles: [[Double]], levels: [Double]) throws(MetricError) -> Double {
        let observedCount = try checkQuantileTable(actuals, quantiles, levels)
        var total = 0.0
        for t in actuals.indices where !actuals[t].isNaN {
            let y = actuals[t], row = quantiles[t]
            for k in levels.indices { total += rho(y - row[k], levels[k]) }
        }
        return total / Double(observedCount * levels.count)
    }

    /// CRPS approximated from quantiles: (2/K) Σ_k pinball_{τ_k}, averaged over the observed steps.
    ///
    /// The CRPS of a forecast F at y equals 2 ∫₀¹ ρ_τ(y − F⁻¹(τ)) dτ (Laio & Tamea 2007;
    /// Gneiting & Ranjan 2011). This replaces the integral by the equal-weight mean over the given
    /// levels, i.e. the average of 2 × pinball over the levels — the "quantile CRPS" of MQ-RNN,
    /// GluonTS and utilsforecast (unscaled). It converges to the true CRPS when the levels are
    /// many and evenly spaced over (0, 1) (e.g. k/(K+1)); with a few tail levels such as
    /// 0.05/0.5/0.95 it is a coarse proxy that is comparable only between forecasts scored on
    /// the same levels.
    public static func crps(actuals: [Double], quantiles: [[Double]], levels: [Double]) throws(MetricError) -> Double {
        2 * (try pinball(actuals: actuals, quantiles: quantiles, levels: levels))
    }

    /// The pinball "check" function ρ_τ(u) = max(τu, (τ − 1)u).
    @inline(__always)
    static func rho(_ u: Double, _ level: Double) -> Double {
        u >= 0 ? level * u : (level - 1) * u
    }

    /// Validates shapes, levels and values once; returns the number of observed actuals.
    static func checkQuantileTable(_ actuals: [Double], _ quantiles: [[Double]], _ levels: [Double]) throws(MetricError) -> Int {
        guard !levels.isEmpty else { throw MetricError(.emptyInput, "no quantile levels") }
        for level in levels { try checkLevel(level, "quantile level") }
        guard !actuals.isEmpty else { throw MetricError(.emptyInput, "actuals are empty") }
        guard quantiles.count == actuals.count else {
            throw MetricError(.lengthMismatch, "\(actuals.count) actuals but \(quantiles.count) quantile rows")
        }
        var count = 0
        for t in actuals.indices {
            let row = quantiles[t]
            guard row.count == levels.count else {
                throw MetricError(.lengthMismatch, "quantile row \(t) has \(row.count) values for \(levels.count) levels")
            }
            guard try observed(actuals, t) != nil else { continue }
            for q in row where !q.isFinite {
                throw MetricError(.nonFiniteValue, "quantile row \(t) holds \(q) where the actual is observed")
            }
            count += 1
        }
        guard count > 0 else { throw noObserved() }
        return count
    }
}

// MARK: - Intervals

extension Accuracy {
    /// Share of the observed actuals that lie in [lower, upper] (bounds included), in [0, 1].
    public static func coverage(actuals: [Double], lower: [Double], upper: [Double]) throws(MetricError) -> Double {
        try intervalMean(actuals, lower, upper) { y, l, u in (y >= l && y <= u) ? 1 : 0 }
    }

    /// Mean interval (Winkler) score of a central (1 − α) interval, the unscaled MSIS numerator:
    /// (1/h) Σ [(u − l) + (2/α)(l − y)·1{y < l} + (2/α)(y − u)·1{y > u}].
    public static func intervalScore(
        actuals: [Double], lower: [Double], upper: [Double], alpha: Double
    ) throws(MetricError) -> Double {
        try checkLevel(alpha, "alpha")
        let penalty = 2 / alpha
        return try intervalMean(actuals, lower, upper) { y, l, u in winkler(y, l, u, penalty: penalty) }
    }

    /// One interval-score term; `penalty` is 2/α.
    @inline(__always)
    static func winkler(_ y: Double, _ l: Double, _ u: Double, penalty: Double) -> Double {
        var score = u - l
        if y < l { score += penalty * (l - y) }
        if y > u { score += penalty * (y - u) }
        return score
    }

    /// Mean scaled interval score (M4): `intervalScore` divided by the in-sample seasonal-naive
    /// MAE of `seasonalNaiveScale(insample:season:)`. `alpha` is 0.05 for a 95 % interval.
    public static func msis(
        actuals: [Double], lower: [Double], upper: [Double], alpha: Double, insample: [Double], season: Int = 1
    ) throws(MetricError) -> Double {
        let score = try intervalScore(actuals: actuals, lower: lower, upper: upper, alpha: alpha)
        return score / (try seasonalNaiveScale(insample: insample, season: season))
    }

    /// MSIS with a scale computed beforehand.
    public static func msis(
        actuals: [Double], lower: [Double], upper: [Double], alpha: Double, scale: Double
    ) throws(MetricError) -> Double {
        let score = try intervalScore(actuals: actuals, lower: lower, upper: upper, alpha: alpha)
        return score / (try validScale(scale))
    }

    /// (1/h) Σ term(y, l, u) over the observed actuals; bounds must be finite and ordered there.
    @inline(__always)
    static func intervalMean(
        _ actuals: [Double], _ lower: [Double], _ upper: [Double], _ term: (Double, Double, Double) -> Double
    ) throws(MetricError) -> Double {
        try checkShape(actuals, lower, "lower")
        try checkShape(actuals, upper, "upper")
        var sum = 0.0
        var count = 0
        for i in actuals.indices {
            guard let y = try observed(actuals, i) else { continue }
            let l = try finite(lower[i], "lower bound", i)
            let u = try finite(upper[i], "upper bound", i)
            guard l <= u else { throw MetricError(.crossedInterval, "interval at index \(i) has lower \(l) > upper \(u)") }
            sum += term(y, l, u)
            count += 1
        }
        guard count > 0 else { throw noObserved() }
        return sum / Double(count)
    }
}
