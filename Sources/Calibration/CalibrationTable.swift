import TimeSeries

/// How a `CalibrationTable` was fitted, and so how its offsets are applied.
package enum CalibrationMethod: String, Sendable, Hashable, Codable {
    /// Conformalised quantile regression (Romano et al. 2019): offsets in the data's units;
    /// symmetric level pairs (τ, 1 − τ) are calibrated together as a central interval.
    case conformalQuantileRegression = "cqr"
    /// Asymmetric CQR (Romano et al. 2019, Theorem 2): offsets in the data's units, every level
    /// calibrated on its own, so that each one-sided level (and not only each interval) is
    /// calibrated; intervals get coverage ≥ nominal and are a little wider than with `.cqr`.
    case asymmetricConformalQuantileRegression = "cqr-asymmetric"
    /// Residual quantiles in units of each forecast's own scale σ̂_h (for Gaussian forecasts such
    /// as ARIMA's): every level is calibrated on its own, on scores (y − q̂_τ) / σ̂_h.
    case residualQuantile = "residual-quantile"
}

/// The corrections of one horizon step.
package struct StepCalibration: Sendable, Hashable, Codable {
    /// Horizon step, 1-based.
    package var step: Int
    /// Offset per level (table order): data units for CQR, multiples of σ̂_h for residual quantiles.
    package var offsets: [Double]
    /// Usable samples that belong to this step.
    package var samples: Int
    /// Samples the offsets were computed from (this step's plus its pooled neighbours').
    package var pooledSamples: Int
    /// The steps pooled, `firstPooledStep...lastPooledStep` (both equal `step` without pooling).
    package var firstPooledStep: Int
    package var lastPooledStep: Int
    /// Levels whose conformal quantile would have been infinite for `pooledSamples` and was
    /// clamped to the largest score (coverage then falls short of the guarantee).
    package var clampedLevels: [Double]
}

/// Per-step quantile corrections fitted from backtest residuals, stored with the model
/// (the manifest's `calibration` section) and applied at forecast time.
package struct CalibrationTable: Sendable, Hashable, Codable {
    package var method: CalibrationMethod
    /// Quantile levels the offsets apply to, strictly increasing.
    package var levels: [Double]
    /// Fewest samples a step's offsets are computed from before neighbouring steps are pooled in.
    package var minimumSamples: Int
    /// One entry per step 1…H; steps past H use step H's offsets.
    package var steps: [StepCalibration]
    /// Samples ignored while fitting (bad step, wrong width, non-finite values, no scale).
    package var skippedSamples: Int

    package var horizon: Int { steps.count }

    /// The offsets of step `h` (1-based); steps past the table reuse its last step.
    package func offsets(step h: Int) -> [Double] {
        guard let last = steps.last else { return [Double](repeating: 0, count: levels.count) }
        return h >= 1 && h <= steps.count ? steps[h - 1].offsets : (h < 1 ? steps[0].offsets : last.offsets)
    }

    /// Table levels that `forecast` does not carry (those are not corrected by `apply`).
    package func missingLevels(in forecast: ForecastDistribution) -> [Double] {
        levels.filter { level in !forecast.levels.contains { abs($0 - level) < 1e-9 } }
    }

    /// `forecast` with every table level's quantiles corrected, re-sorted per step so that they
    /// never cross (monotone rearrangement, Chernozhukov, Fernández-Val & Galichon 2010).
    ///
    /// Levels of `forecast` not in the table are left as they are, and so is the mean. For
    /// `.residualQuantile` a step whose scale σ̂_h is undefined (the table's outermost levels
    /// missing or equal quantiles) is left unchanged, as is a step whose offsets row is malformed
    /// (wrong width or non-finite, e.g. from a damaged manifest).
    package func apply(to forecast: ForecastDistribution) -> ForecastDistribution {
        let columns = levels.map { level in forecast.levels.firstIndex { abs($0 - level) < 1e-9 } }
        // Φ⁻¹ of the outermost levels, once per forecast rather than once per step (the actuator
        // applies a table to every group's forecast every cycle).
        let spread = method == .residualQuantile && !levels.isEmpty
            ? Self.normalSpread(lowerLevel: levels[0], upperLevel: levels[levels.count - 1]) : nil
        var result = forecast
        for h in forecast.quantiles.indices {
            var row = forecast.quantiles[h]
            let offsets = offsets(step: h + 1)
            // A table decoded from a damaged manifest may have rows of the wrong width: skip them.
            guard offsets.count == levels.count, offsets.allSatisfy(\.isFinite) else { continue }
            var unit = 1.0
            if method == .residualQuantile {
                guard let lo = columns.first ?? nil, let hi = columns.last ?? nil, let spread,
                      let scale = Self.scale(lower: row[lo], upper: row[hi], spread: spread)
                else { continue }
                unit = scale
            }
            for (k, column) in columns.enumerated() {
                if let column { row[column] += unit * offsets[k] }
            }
            // Sorting the quantile values is the monotone rearrangement of the quantile curve:
            // it never increases the pinball loss and leaves an already-monotone row as is.
            row.sort()
            result.quantiles[h] = row
        }
        return result
    }

    /// The Gaussian-equivalent scale of a forecast step: (q_hi − q_lo) / (Φ⁻¹(τ_hi) − Φ⁻¹(τ_lo)).
    ///
    /// For a Gaussian forecast N(μ, σ²) it is exactly σ; for any other it is the σ of the normal
    /// distribution with the same outer quantiles. Nil when it is not positive and finite.
    static func scale(lowerLevel: Double, lower: Double, upperLevel: Double, upper: Double) -> Double? {
        guard let spread = normalSpread(lowerLevel: lowerLevel, upperLevel: upperLevel) else { return nil }
        return scale(lower: lower, upper: upper, spread: spread)
    }

    /// Φ⁻¹(τ_hi) − Φ⁻¹(τ_lo), nil unless τ_hi > τ_lo.
    static func normalSpread(lowerLevel: Double, upperLevel: Double) -> Double? {
        guard upperLevel > lowerLevel else { return nil }
        return NormalDistribution.quantile(upperLevel) - NormalDistribution.quantile(lowerLevel)
    }

    /// `scale(lowerLevel:lower:upperLevel:upper:)` with the normal spread already computed.
    static func scale(lower: Double, upper: Double, spread: Double) -> Double? {
        let s = (upper - lower) / spread
        return s.isFinite && s > 0 ? s : nil
    }
}
