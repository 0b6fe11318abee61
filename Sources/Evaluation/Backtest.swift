import Features
import Forecasting
import TimeSeries

/// How a rolling-origin backtest cuts the series.
package struct BacktestConfiguration: Sendable, Hashable, Codable {
    /// Steps forecast from each origin.
    package var horizon: Int
    /// Number of origins; the last one leaves exactly `horizon` steps at the end of the series.
    package var folds: Int
    /// Steps between consecutive origins (defaults to `horizon`: test windows touch, never overlap).
    package var stride: Int
    /// Quantile levels forecast and scored.
    package var levels: [Double]
    /// A fold is skipped when its training part has fewer points than this.
    package var minimumTrainingLength: Int
    /// The support every forecast is clipped into before it is scored (nil: none; absent in
    /// reports written before it).
    package var bounds: SupportBounds?

    package init(horizon: Int, folds: Int = 3, stride: Int? = nil,
                levels: [Double] = BacktestConfiguration.defaultLevels, minimumTrainingLength: Int = 3,
                bounds: SupportBounds? = nil) {
        self.horizon = horizon
        self.folds = folds
        self.stride = stride ?? horizon
        self.levels = levels
        self.minimumTrainingLength = minimumTrainingLength
        self.bounds = bounds.flatMap { $0.isUnbounded ? nil : $0 }
    }

    /// Quantiles giving the central 80, 90, 95 and 99 % intervals and the median.
    package static let defaultLevels = [0.005, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.995]
}

/// The scores of one series at one origin.
package struct FoldScore: Sendable, Hashable, Codable {
    package var fold: Int
    /// Length of the training part (the origin, as an index into the series).
    package var origin: Int
    package var model: String
    package var accuracy: DistributionAccuracy
    /// What was forecast from this origin, kept for calibration, fan charts and paired tests.
    package var forecast: ForecastDistribution
    /// The actual values over the forecast's steps (NaN where not observed).
    package var actuals: [Double]
    /// Grid positions of observations near this origin that the model treated as outliers
    /// rather than signal (every model's origin guard); nil when none was (and in older reports).
    package var originOutliers: [Int64]? = nil
    /// The same with their values and replacements, when the model recorded them (the
    /// training job's rolling backtest); nil otherwise.
    package var originOutlierPoints: [OriginOutlier]? = nil

    /// This fold's scores, upper-quantile coverage included.
    package var summary: MetricSummary { MetricSummary(accuracy, forecast: forecast, actuals: actuals) }
}

/// Scores averaged over folds (per series) or over series (overall).
package struct MetricSummary: Sendable, Hashable, Codable {
    package var mase: Double?
    package var smape: Double
    package var mae: Double
    package var rmse: Double
    package var crps: Double
    package var meanPinball: Double
    /// Observed coverage per nominal coverage of the central intervals, keyed like "0.95".
    package var coverage: [String: Double]
    /// MSIS per nominal coverage, when the in-sample scale was defined.
    package var msis: [String: Double]
    /// One-sided coverage P(y ≤ q_τ) of each upper level τ ≥ 0.9 on its own, keyed like "0.95":
    /// under-provisioning is what costs, so the upper tail is reported apart from the intervals.
    /// Nil when the forecast and actuals were not at hand (summaries built from accuracy only).
    package var upperCoverage: [String: Double]?
    /// Pinball loss of each upper level τ ≥ 0.9 on its own, keyed like "0.95".
    package var upperPinball: [String: Double]?

    /// Levels at or above this are "upper" quantiles for `upperCoverage` and `upperPinball`.
    package static let upperLevelThreshold = 0.9

    /// The scores of one forecast, with the upper quantiles' one-sided coverage measured against
    /// `actuals` (NaN actuals are not counted).
    package init(_ a: DistributionAccuracy, forecast: ForecastDistribution, actuals: [Double]) {
        self.init(a)
        var coverage: [String: Double] = [:]
        for (k, level) in forecast.levels.enumerated() where level >= Self.upperLevelThreshold - 1e-12 {
            var below = 0, observed = 0
            for (h, y) in actuals.enumerated() where !y.isNaN && h < forecast.quantiles.count {
                observed += 1
                if y <= forecast.quantiles[h][k] { below += 1 }
            }
            if observed > 0 { coverage[Self.key(level)] = Double(below) / Double(observed) }
        }
        upperCoverage = coverage
    }

    /// The scores of one forecast.
    package init(_ a: DistributionAccuracy) {
        mase = a.mase
        smape = a.smape
        mae = a.mae
        rmse = a.rmse
        crps = a.crps
        meanPinball = a.meanPinball
        coverage = Dictionary(a.intervals.map { (Self.key($0.nominalCoverage), $0.coverage) }, uniquingKeysWith: { x, _ in x })
        msis = Dictionary(a.intervals.compactMap { i in i.msis.map { (Self.key(i.nominalCoverage), $0) } },
                          uniquingKeysWith: { x, _ in x })
        upperPinball = Dictionary(zip(a.levels, a.pinball).filter { $0.0 >= Self.upperLevelThreshold - 1e-12 }
            .map { (Self.key($0.0), $0.1) }, uniquingKeysWith: { x, _ in x })
        upperCoverage = nil
    }

    /// The mean of each metric over `summaries` (MASE and each MSIS over the summaries that have
    /// them); nil when there is nothing to average.
    package init?(averaging summaries: [MetricSummary]) {
        guard !summaries.isEmpty else { return nil }
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        let mases = summaries.compactMap(\.mase)
        mase = mases.isEmpty ? nil : mean(mases)
        smape = mean(summaries.map(\.smape))
        mae = mean(summaries.map(\.mae))
        rmse = mean(summaries.map(\.rmse))
        crps = mean(summaries.map(\.crps))
        meanPinball = mean(summaries.map(\.meanPinball))
        var coverage: [String: [Double]] = [:], msis: [String: [Double]] = [:]
        for s in summaries {
            for (k, v) in s.coverage { coverage[k, default: []].append(v) }
            for (k, v) in s.msis { msis[k, default: []].append(v) }
        }
        self.coverage = coverage.mapValues(mean)
        self.msis = msis.mapValues(mean)
        upperCoverage = Self.averaging(summaries.map(\.upperCoverage))
        upperPinball = Self.averaging(summaries.map(\.upperPinball))
    }

    /// Key-wise means over the dictionaries present; nil when none is.
    static func averaging(_ dictionaries: [[String: Double]?]) -> [String: Double]? {
        let present = dictionaries.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        var values: [String: [Double]] = [:]
        for d in present { for (k, v) in d { values[k, default: []].append(v) } }
        return values.mapValues { $0.reduce(0, +) / Double($0.count) }
    }

    /// The dictionary key of a nominal coverage: "0.8", "0.9", "0.95".
    package static func key(_ nominal: Double) -> String {
        let rounded = (nominal * 1000).rounded() / 1000
        return String(rounded)
    }
}

/// One series' backtest.
package struct SeriesBacktest: Sendable, Hashable, Codable {
    package var seriesID: String
    package var folds: [FoldScore]
    package var summary: MetricSummary?
    /// Folds skipped or failed, and the engines' own diagnostics, for this series.
    package var diagnostics: [String]
}

/// A whole backtest: per series and overall (the mean over series that were scored).
package struct BacktestReport: Sendable, Hashable, Codable {
    package var model: String
    package var configuration: BacktestConfiguration
    package var series: [SeriesBacktest]
    package var overall: MetricSummary?
}

/// Rolling-origin evaluation of a forecaster (Tashman 2000): at each origin the model sees only
/// the data before it and is scored on the next `horizon` steps.
package enum Backtest {
    /// Runs the backtest. `inputs[i].regressors`, when present, must cover the history exactly
    /// (rows = series length); each fold passes the rows up to its origin + horizon.
    package static func run(_ forecaster: some Forecaster, inputs: [ForecastInput],
                           configuration c: BacktestConfiguration) throws(ForecastError) -> BacktestReport {
        guard c.horizon >= 1, c.folds >= 1, c.stride >= 1 else {
            throw ForecastError(.invalidRequest, "backtest needs horizon, folds and stride of at least 1")
        }
        for input in inputs {
            if let x = input.regressors, x.rows != input.series.count {
                throw ForecastError(.regressorMismatch,
                                    "\(input.series.id): regressors have \(x.rows) rows for \(input.series.count) points")
            }
        }
        var folds = [[FoldScore]](repeating: [], count: inputs.count)
        var diagnostics = [[String]](repeating: [], count: inputs.count)
        for fold in 0..<c.folds {
            var batch: [ForecastInput] = [], members: [(index: Int, origin: Int)] = []
            for (i, input) in inputs.enumerated() {
                let origin = input.series.count - c.horizon - (c.folds - 1 - fold) * c.stride
                guard origin >= c.minimumTrainingLength else {
                    diagnostics[i].append("fold \(fold + 1): skipped, only \(max(origin, 0)) training points")
                    continue
                }
                batch.append(slice(input, origin: origin, horizon: c.horizon))
                members.append((i, origin))
            }
            guard !batch.isEmpty else { continue }
            let forecasts = try forecaster.forecast(batch, horizon: c.horizon, levels: c.levels)
            for (forecast, member) in zip(forecasts, members) {
                let series = inputs[member.index].series
                diagnostics[member.index] += forecast.diagnostics.map { "fold \(fold + 1): \($0)" }
                switch forecast.result {
                case .failure(let error):
                    diagnostics[member.index].append("fold \(fold + 1): no forecast: \(error.message)")
                case .success(var distribution):
                    if let bounds = c.bounds { distribution.clamp(to: bounds) }
                    let actuals = Array(series.values[member.origin..<(member.origin + c.horizon)])
                    let insample = Array(series.values[0..<member.origin])
                    do {
                        let accuracy = try score(distribution, actuals: actuals, insample: insample,
                                                 season: inputs[member.index].season ?? 1)
                        folds[member.index].append(FoldScore(fold: fold + 1, origin: member.origin,
                                                             model: forecast.model, accuracy: accuracy,
                                                             forecast: distribution, actuals: actuals,
                                                             originOutliers: forecast.originOutliers.isEmpty ? nil : forecast.originOutliers))
                    } catch {
                        diagnostics[member.index].append("fold \(fold + 1): not scored: \(error.message)")
                    }
                }
            }
        }
        let series = inputs.indices.map { i in
            SeriesBacktest(seriesID: inputs[i].series.id, folds: folds[i],
                           summary: MetricSummary(averaging: folds[i].map(\.summary)), diagnostics: diagnostics[i])
        }
        return BacktestReport(model: forecaster.name, configuration: c, series: series,
                              overall: MetricSummary(averaging: series.compactMap(\.summary)))
    }

    /// Scores one fold; MASE/MSIS are left out (not failed) when the in-sample scale is 0 or undefined.
    package static func score(_ d: ForecastDistribution, actuals: [Double], insample: [Double],
                      season: Int) throws(MetricError) -> DistributionAccuracy {
        let m = insample.count > season ? season : 1
        let scale = try? Accuracy.seasonalNaiveScale(insample: insample, season: m)
        return try Accuracy.evaluate(d, actuals: actuals, scale: scale.flatMap { $0 > 0 && $0.isFinite ? $0 : nil })
    }

    static func slice(_ input: ForecastInput, origin: Int, horizon: Int) -> ForecastInput {
        let s = input.series
        let grid = TimeGrid(axis: s.grid.axis, start: s.grid.start, step: s.grid.step, count: origin)
        let train = Series(id: s.id, grid: grid, values: Array(s.values[0..<origin]), metric: s.metric, group: s.group)
        return ForecastInput(series: train, season: input.season,
                             regressors: input.regressors.map { $0.prefix(rows: origin + horizon) })
    }
}
