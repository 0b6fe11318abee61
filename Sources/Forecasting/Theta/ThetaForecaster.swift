import Foundation
import TimeSeries

/// The Theta method per series (`--model theta`): optimised θ (statsforecast's `OptimizedTheta`)
/// after a multiplicative seasonal adjustment when the lag-m autocorrelation says so.
///
/// A series Theta cannot model falls back to seasonal naive with a diagnostic saying why.
public struct ThetaForecaster: Forecaster {
    public let name = "theta"
    public var options: ThetaOptions
    public var jobs: Int

    public init(options: ThetaOptions = ThetaOptions(), jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.options = options
        self.jobs = max(1, jobs)
    }

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        return parallelMap(inputs, jobs: jobs) { input in
            do throws(ForecastError) {
                let model = try ThetaModel.fit(input.series, season: input.season, options: options)
                let d = try model.forecast(horizon: horizon, levels: levels)
                return SeriesForecast(seriesID: input.series.id, result: .success(d), model: model.name,
                                      diagnostics: model.diagnostics + OriginScreen.note(model.originOutlierPoints, axis: input.series.grid.axis),
                                      originOutliers: model.originOutliers)
            } catch {
                return seasonalNaiveFallback(input, horizon: horizon, levels: levels,
                                             notes: ["Theta failed (\(error.message)): fell back to seasonal naive"])
            }
        }
    }
}
