import Calibration
import Evaluation
import Forecasting
import TimeSeries

/// One series at one backtest origin.
public struct FoldKey: Sendable, Hashable, Comparable, Codable {
    public var seriesID: String
    public var fold: Int
    public init(seriesID: String, fold: Int) {
        self.seriesID = seriesID
        self.fold = fold
    }
    public static func < (a: FoldKey, b: FoldKey) -> Bool { (a.seriesID, a.fold) < (b.seriesID, b.fold) }
}

/// A forecast made from one origin and what actually happened.
public struct ScoredForecast: Sendable, Hashable {
    public var forecast: ForecastDistribution
    public var actuals: [Double]
    public init(forecast: ForecastDistribution, actuals: [Double]) {
        self.forecast = forecast
        self.actuals = actuals
    }
}

/// A candidate's backtest forecasts, calibrated, ready for selection.
public struct CandidateForecasts: Sendable {
    public var name: String
    /// Forecasts keyed by series and fold, after calibration (cross-fitted: each fold is
    /// corrected by a table fitted on the other folds).
    public var forecasts: [FoldKey: ScoredForecast]
    public init(name: String, forecasts: [FoldKey: ScoredForecast]) {
        self.name = name
        self.forecasts = forecasts
    }
}

/// How one candidate did in the backtest, raw and calibrated.
public struct CandidateEvaluation: Sendable {
    public var name: String
    public var calibrated: CandidateForecasts
    /// The table fitted on every fold: what is published with the model; nil when calibration failed.
    public var table: CalibrationTable?
    public var rawSummary: MetricSummary?
    public var calibratedSummary: MetricSummary?
    /// Calibrated scores per series (averaged over its folds).
    public var seriesSummaries: [String: MetricSummary]
    /// Central-interval coverage on the last fold, corrected by a table fitted on the earlier folds only.
    public var heldOutCoverage: [String: Double]?
    public var diagnostics: [String]
}

/// Builds calibration tables from backtest folds and scores the calibrated forecasts.
public struct CandidateCalibration: Sendable {
    public var method: CalibrationMethod
    public var minimumSamples: Int

    public init(method: CalibrationMethod, minimumSamples: Int) {
        self.method = method
        self.minimumSamples = minimumSamples
    }

    /// Calibrates one candidate's backtest. With one fold there is nothing held out to correct
    /// it with, so its forecasts stay raw (the table on that fold is still fitted and published).
    public func evaluate(_ report: BacktestReport, inputs: [ForecastInput]) -> CandidateEvaluation {
        var diagnostics: [String] = []
        var raw: [FoldKey: (score: FoldScore, season: Int, insample: [Double])] = [:]
        for (s, series) in report.series.enumerated() where s < inputs.count {
            let input = inputs[s]
            for f in series.folds {
                raw[FoldKey(seriesID: series.seriesID, fold: f.fold)] =
                    (f, input.season ?? 1, Array(input.series.values.prefix(f.origin)))
            }
            diagnostics += series.diagnostics.map { "\(series.seriesID): \($0)" }
        }
        let foldNumbers = Set(raw.keys.map(\.fold)).sorted()
        let levels = raw.values.first?.score.forecast.levels ?? report.configuration.levels
        func samples(_ keep: (Int) -> Bool) -> [CalibrationSample] {
            raw.filter { keep($0.key.fold) }.values.flatMap { CalibrationSample.samples(from: $0.score.forecast, actuals: $0.score.actuals) }
        }
        func fit(_ s: [CalibrationSample]) -> CalibrationTable? {
            do {
                return try ConformalCalibrator(levels: levels, method: method, minimumSamples: minimumSamples).fit(s)
            } catch {
                diagnostics.append("calibration: \(error)")
                return nil
            }
        }
        let table = fit(samples { _ in true })
        // Cross-fitting: fold k is corrected by a table that never saw fold k.
        var tables: [Int: CalibrationTable] = [:]
        if foldNumbers.count > 1 {
            for k in foldNumbers { tables[k] = fit(samples { $0 != k }) }
        } else if !foldNumbers.isEmpty {
            diagnostics.append("calibration: one fold only, backtest scores are uncalibrated")
        }
        var calibrated: [FoldKey: ScoredForecast] = [:]
        var rawSummaries: [MetricSummary] = [], calibratedSummaries: [MetricSummary] = [], lastFold: [MetricSummary] = []
        var perSeries: [String: [MetricSummary]] = [:]
        for (key, entry) in raw.sorted(by: { $0.key < $1.key }) {
            rawSummaries.append(entry.score.summary)
            let forecast = tables[key.fold].map { $0.apply(to: entry.score.forecast) } ?? entry.score.forecast
            calibrated[key] = ScoredForecast(forecast: forecast, actuals: entry.score.actuals)
            if let accuracy = try? Backtest.score(forecast, actuals: entry.score.actuals, insample: entry.insample,
                                                 season: entry.season) {
                let summary = MetricSummary(accuracy, forecast: forecast, actuals: entry.score.actuals)
                calibratedSummaries.append(summary)
                perSeries[key.seriesID, default: []].append(summary)
                if key.fold == foldNumbers.last, foldNumbers.count > 1 { lastFold.append(summary) }
            }
        }
        return CandidateEvaluation(
            name: report.model, calibrated: CandidateForecasts(name: report.model, forecasts: calibrated), table: table,
            rawSummary: MetricSummary(averaging: rawSummaries), calibratedSummary: MetricSummary(averaging: calibratedSummaries),
            seriesSummaries: perSeries.compactMapValues { MetricSummary(averaging: $0) },
            heldOutCoverage: MetricSummary(averaging: lastFold)?.coverage, diagnostics: diagnostics)
    }
}
