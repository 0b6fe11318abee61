import TimeSeries

/// One backtest forecast step paired with what happened: the input of `ConformalCalibrator`.
package struct CalibrationSample: Sendable, Hashable, Codable {
    /// Horizon step, 1-based.
    package var step: Int
    /// The observed value (`.nan` = not observed; such samples are skipped).
    package var actual: Double
    /// The forecast quantiles at the calibrator's levels, in the same order.
    package var quantiles: [Double]

    package init(step: Int, actual: Double, quantiles: [Double]) {
        self.step = step
        self.actual = actual
        self.quantiles = quantiles
    }

    /// One sample per step of `forecast` whose actual is known (`actuals[h]` is for step h + 1).
    ///
    /// Steps past the end of `actuals` are left out; levels are the forecast's own.
    package static func samples(from forecast: ForecastDistribution, actuals: [Double]) -> [CalibrationSample] {
        zip(forecast.quantiles, actuals).enumerated().compactMap { h, pair in
            pair.1.isNaN ? nil : CalibrationSample(step: h + 1, actual: pair.1, quantiles: pair.0)
        }
    }
}
