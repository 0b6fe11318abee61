import TimeSeries

/// A quantile at an arbitrary level, read off a forecast's quantile curve.
package struct InterpolatedQuantile: Sendable, Hashable, Codable {
    /// The quantile (−∞ for a level ≤ 0, +∞ for a level ≥ 1).
    public var value: Double
    /// True when the level lies outside the forecast's levels and a tail model was used.
    package var extrapolated: Bool
}

/// The piecewise-linear quantile curve through a step's (level, quantile) points, with Gaussian
/// tails beyond the outermost levels; its inverse is the CDF used for PIT values.
///
/// Tails: beyond the last level the curve continues as the normal distribution through the two
/// outermost points, q(τ) = q_K + σ_U (Φ⁻¹(τ) − Φ⁻¹(τ_K)) with σ_U = (q_K − q_{K−1}) /
/// (Φ⁻¹(τ_K) − Φ⁻¹(τ_{K−1})), and likewise below the first level. With one level, or a flat
/// outermost segment (σ = 0), the tail is flat: the outermost quantile.
struct QuantileCurve: Sendable {
    let levels: [Double]
    /// Quantiles sorted ascending (a crossing row is rearranged first).
    let values: [Double]

    init(levels: [Double], quantiles: [Double]) {
        self.levels = levels
        self.values = quantiles.sorted()
    }

    /// σ of the lower and upper Gaussian tails (0 = flat tail).
    var lowerTailScale: Double { tailScale(0, 1) }
    var upperTailScale: Double { tailScale(levels.count - 1, levels.count - 2) }

    private func tailScale(_ outer: Int, _ inner: Int) -> Double {
        guard levels.count >= 2 else { return 0 }
        let s = (values[outer] - values[inner])
            / (NormalDistribution.quantile(levels[outer]) - NormalDistribution.quantile(levels[inner]))
        return s.isFinite && s > 0 ? s : 0
    }

    /// The quantile at `level`, linear between the given levels, Gaussian beyond them.
    func quantile(_ level: Double) -> InterpolatedQuantile {
        guard !level.isNaN else { return InterpolatedQuantile(value: .nan, extrapolated: true) }
        if level <= 0 { return InterpolatedQuantile(value: -.infinity, extrapolated: true) }
        if level >= 1 { return InterpolatedQuantile(value: .infinity, extrapolated: true) }
        let K = levels.count
        if level < levels[0] {
            let z = NormalDistribution.quantile(level) - NormalDistribution.quantile(levels[0])
            return InterpolatedQuantile(value: values[0] + lowerTailScale * z, extrapolated: true)
        }
        if level > levels[K - 1] {
            let z = NormalDistribution.quantile(level) - NormalDistribution.quantile(levels[K - 1])
            return InterpolatedQuantile(value: values[K - 1] + upperTailScale * z, extrapolated: true)
        }
        // levels[k] ≤ level ≤ levels[k + 1]
        var k = 0
        while k + 1 < K && levels[k + 1] < level { k += 1 }
        if k + 1 == K || level == levels[k] { return InterpolatedQuantile(value: values[k], extrapolated: false) }
        let w = (level - levels[k]) / (levels[k + 1] - levels[k])
        return InterpolatedQuantile(value: values[k] + w * (values[k + 1] - values[k]), extrapolated: false)
    }

    /// F(y): the level at which the curve reaches y. Where the curve is flat at y (several
    /// levels share the quantile y) it is the middle of those levels.
    func cdf(_ y: Double) -> Double {
        let K = levels.count
        if y < values[0] {
            let s = lowerTailScale
            return s > 0 ? NormalDistribution.cdf(NormalDistribution.quantile(levels[0]) + (y - values[0]) / s) : 0
        }
        if y > values[K - 1] {
            let s = upperTailScale
            return s > 0 ? NormalDistribution.cdf(NormalDistribution.quantile(levels[K - 1]) + (y - values[K - 1]) / s) : 1
        }
        if let first = values.firstIndex(of: y), let last = values.lastIndex(of: y) {
            return (levels[first] + levels[last]) / 2
        }
        // values[k] < y < values[k + 1]
        var k = 0
        while values[k + 1] < y { k += 1 }
        let w = (y - values[k]) / (values[k + 1] - values[k])
        return levels[k] + w * (levels[k + 1] - levels[k])
    }
}

extension ForecastDistribution {
    /// The quantile of step `h` (1-based) at any `level`: linear between the forecast's levels,
    /// a Gaussian tail through the two outermost levels beyond them; nil for a step out of range.
    package func interpolatedQuantile(level: Double, step h: Int) -> InterpolatedQuantile? {
        guard h >= 1 && h <= quantiles.count else { return nil }
        return QuantileCurve(levels: levels, quantiles: quantiles[h - 1]).quantile(level)
    }

    /// The forecast CDF of step `h` at `y` (the PIT value when y is the actual); nil for a step
    /// out of range or a NaN `y`.
    package func cdf(_ y: Double, step h: Int) -> Double? {
        guard h >= 1 && h <= quantiles.count, !y.isNaN else { return nil }
        return QuantileCurve(levels: levels, quantiles: quantiles[h - 1]).cdf(y)
    }
}
