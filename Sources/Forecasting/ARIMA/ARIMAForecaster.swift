import Dispatch
import Features
import Foundation
import LinearAlgebra
import TimeSeries

/// Regression with SARIMA errors, orders chosen automatically per series (`--model arima`).
///
/// Series are independent, so they are fitted concurrently on `jobs` threads (OpenBLAS is then
/// set to one thread per call, so the two levels of parallelism do not oversubscribe the cores).
/// A series that ARIMA cannot model falls back — constant series to a flat forecast, failures to
/// a non-seasonal ARIMA(0,1,1), then to seasonal naive — with a diagnostic saying why.
public struct ARIMAForecaster: Forecaster {
    public let name = "arima"
    public var options: AutoARIMAOptions
    /// Series fitted at once; defaults to the number of active cores.
    public var jobs: Int

    public init(options: AutoARIMAOptions = AutoARIMAOptions(), jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.options = options
        self.jobs = max(1, jobs)
    }

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        if min(jobs, inputs.count) > 1 { setBLASThreadCount(1) }
        return parallelMap(inputs, jobs: jobs) { forecastOne($0, horizon: horizon, levels: levels) }
    }

    /// One series: automatic ARIMA, else the fallbacks.
    func forecastOne(_ input: ForecastInput, horizon: Int, levels: [Double]) -> SeriesForecast {
        let series = input.series
        let observed = series.values.filter(\.isFinite)
        if let first = observed.first, observed.count >= 1, observed.allSatisfy({ $0 == first }) {
            return constantForecast(input, value: first, horizon: horizon, levels: levels)
        }
        var diagnostics: [String] = []
        do {
            let model = try AutoARIMA.fitGuardingOrigin(series, season: input.season, regressors: input.regressors, options: options)
            let d = try model.forecast(horizon: horizon, levels: levels, futureRegressors: input.regressors)
            return SeriesForecast(seriesID: series.id, result: .success(d), model: model.name,
                                  diagnostics: model.diagnostics + Self.outlierNote(model, series: series),
                                  originOutliers: model.originOutliers)
        } catch {
            diagnostics.append("automatic ARIMA failed (\(error.message)): fell back to ARIMA(0,1,1)")
        }
        do {
            let spec = ARIMASpecification(order: ARIMAOrder(p: 0, d: 1, q: 1))
            let model = try ARIMAModel.fit(series, specification: spec)
            let d = try model.forecast(horizon: horizon, levels: levels)
            return SeriesForecast(seriesID: series.id, result: .success(d), model: model.name,
                                  diagnostics: diagnostics + Self.outlierNote(model, series: series),
                                  originOutliers: model.originOutliers)
        } catch {
            diagnostics.append("ARIMA(0,1,1) failed (\(error.message)): fell back to seasonal naive")
        }
        do {
            let baseline = try SeasonalNaive().forecast([ForecastInput(series: series, season: input.season)], horizon: horizon, levels: levels)[0]
            return SeriesForecast(seriesID: series.id, result: baseline.result, model: baseline.model,
                                  diagnostics: diagnostics + baseline.diagnostics)
        } catch {
            return SeriesForecast(seriesID: series.id, result: .failure(error), model: "none", diagnostics: diagnostics)
        }
    }

    /// The diagnostic naming the observations near the origin that the state skipped as outliers.
    static func outlierNote(_ model: ARIMAModel, series: Series) -> [String] {
        OriginScreen.note(model.originOutlierPoints, axis: series.grid.axis)
    }

    private func constantForecast(_ input: ForecastInput, value: Double, horizon: Int, levels: [Double]) -> SeriesForecast {
        let grid = input.series.grid.future(horizon)
        let note = ["the series is constant (\(value)): flat forecast with zero width"]
        do {
            let d = try ForecastDistribution(grid: grid, levels: levels, mean: .init(repeating: value, count: horizon),
                                             quantiles: .init(repeating: .init(repeating: value, count: levels.count), count: horizon))
            return SeriesForecast(seriesID: input.series.id, result: .success(d), model: "constant", diagnostics: note)
        } catch {
            return SeriesForecast(seriesID: input.series.id, result: .failure(ForecastError(.numericalFailure, error.description)),
                                  model: "constant", diagnostics: note)
        }
    }
}
