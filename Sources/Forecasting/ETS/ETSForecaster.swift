import Dispatch
import Foundation
import TimeSeries

/// Automatic ETS per series (`--model ets`): the AICc-best exponential smoothing model.
///
/// Series are independent and fitted concurrently on `jobs` threads. A series ETS cannot model
/// falls back to seasonal naive with a diagnostic saying why.
public struct ETSForecaster: Forecaster {
    public let name = "ets"
    public var options: AutoETSOptions
    public var jobs: Int

    public init(options: AutoETSOptions = AutoETSOptions(), jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.options = options
        self.jobs = max(1, jobs)
    }

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        return parallelMap(inputs, jobs: jobs) { forecastOne($0, horizon: horizon, levels: levels) }
    }

    func forecastOne(_ input: ForecastInput, horizon: Int, levels: [Double]) -> SeriesForecast {
        let series = input.series
        var notes: [String] = []
        do {
            let model = try AutoETS.fit(series, season: input.season, options: options)
            let d = try model.forecast(horizon: horizon, levels: levels)
            return SeriesForecast(seriesID: series.id, result: .success(d), model: model.name,
                                  diagnostics: model.diagnostics + OriginScreen.note(model.originOutlierPoints, axis: series.grid.axis),
                                  originOutliers: model.originOutliers)
        } catch {
            notes.append("ETS failed (\(error.message)): fell back to seasonal naive")
        }
        return seasonalNaiveFallback(input, horizon: horizon, levels: levels, notes: notes)
    }
}

/// Seasonal naive for a series an engine could not model, keeping the engine's notes.
func seasonalNaiveFallback(_ input: ForecastInput, horizon: Int, levels: [Double], notes: [String]) -> SeriesForecast {
    let series = input.series
    do {
        let baseline = try SeasonalNaive().forecast([ForecastInput(series: series, season: input.season)], horizon: horizon, levels: levels)[0]
        return SeriesForecast(seriesID: series.id, result: baseline.result, model: baseline.model, diagnostics: notes + baseline.diagnostics)
    } catch {
        return SeriesForecast(seriesID: series.id, result: .failure(error), model: "none", diagnostics: notes)
    }
}
