import TimeSeries

/// The forecasts a group's policies may read, one per interval boundary.
///
/// `forecast(at: i)` was issued at the start of interval i from the demand of intervals before i
/// only (walk-forward); its step 1 is interval i, step h interval i + h − 1. Nil where no model
/// could forecast. The same stream feeds every policy and every sweep point of a group, so a
/// comparison between policies is never a comparison between forecasts.
package struct ForecastStream: Sendable {
    /// The first interval with a forecast slot (the end of the first training window).
    package let start: Int
    /// Calibrated forecasts (the shadow policy's), by boundary − start.
    var calibrated: [ForecastDistribution?]
    /// Uncalibrated forecasts (their means are the predictive policy's point forecasts).
    var raw: [ForecastDistribution?]
    /// The seasonal period the models used, in intervals (nil: none).
    package internal(set) var season: Int?
    /// Refits performed, refits that failed, boundaries without a forecast.
    package internal(set) var fits = 0
    package internal(set) var failedFits = 0
    package internal(set) var calibrations = 0
    /// The model descriptions used, in order of first use (e.g. `ARIMA(1,0,1) with non-zero mean + 3 Fourier`).
    package internal(set) var models: [String] = []
    package internal(set) var diagnostics: [String] = []

    init(start: Int, count: Int) {
        self.start = start
        calibrated = Array(repeating: nil, count: count)
        raw = Array(repeating: nil, count: count)
    }

    /// A stream given outright (an oracle, or forecasts made elsewhere): `forecasts[k]` is the
    /// one issued at the start of interval `start + k`, used both as calibrated and as raw.
    package init(start: Int, forecasts: [ForecastDistribution?]) {
        self.start = start
        calibrated = forecasts
        raw = forecasts
    }

    /// The calibrated forecast issued at the start of interval `i`.
    package func forecast(at i: Int) -> ForecastDistribution? {
        let k = i - start
        return k >= 0 && k < calibrated.count ? calibrated[k] : nil
    }

    /// The uncalibrated forecast issued at the start of interval `i`.
    package func rawForecast(at i: Int) -> ForecastDistribution? {
        let k = i - start
        return k >= 0 && k < raw.count ? raw[k] : nil
    }

    /// Boundaries without any forecast.
    package var missing: Int { calibrated.reduce(0) { $0 + ($1 == nil ? 1 : 0) } }

    mutating func noteModel(_ name: String) {
        if !models.contains(name) { models.append(name) }
    }
}
