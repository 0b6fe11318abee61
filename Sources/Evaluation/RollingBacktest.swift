import Features
import Forecasting
import TimeSeries

/// A model fitted at one backtest origin that can be moved forward over later observations
/// without refitting, as the actuator's scorer does with a published model between training runs.
package protocol RollingModel: Sendable {
    /// Conditions the model on observations that follow those it has seen (NaN = missing);
    /// `regressors` holds their rows when the series has regressors.
    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError)
    /// The forecast of the `horizon` steps after the last observation; `futureRegressors` holds
    /// their rows when the series has regressors.
    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution
    /// Observations near the origin the state treats as outliers, with their values and
    /// replacements (default: none).
    var originOutlierPoints: [OriginOutlier] { get }
}

extension RollingModel {
    package var originOutlierPoints: [OriginOutlier] { [] }
}

/// What fitting produced for one series.
package struct RollingFit: Sendable {
    package var model: Result<any RollingModel, ForecastError>
    /// The model actually used, e.g. `ARIMA(1,0,1)` or `seasonal-naive[24]` after a fallback.
    package var name: String
    package var diagnostics: [String]

    package init(model: Result<any RollingModel, ForecastError>, name: String, diagnostics: [String] = []) {
        self.model = model
        self.name = name
        self.diagnostics = diagnostics
    }
}

/// An engine the rolling backtest can fit once per fold and then roll forward.
package protocol RollingForecaster: Sendable {
    /// The candidate's name (`seasonal-naive`, `arima`, `ets`, `theta`, `lstm`).
    var name: String { get }
    /// Fits on `inputs` (one group's histories, each cut at its fold origin; regressor rows cover
    /// the history and the next `horizon` steps) and returns one fit per input, in order.
    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit]
}

/// One forecast of a rolling backtest and what happened.
package struct OriginForecast: Sendable, Hashable {
    /// Length of the history the forecast was made from (an index into the series).
    package var origin: Int
    /// Steps between this origin and the series' last origin (0 = last).
    package var lag: Int
    /// The fold (1-based) whose model made it.
    package var fold: Int
    package var forecast: ForecastDistribution
    package var actuals: [Double]

    package init(origin: Int, lag: Int, fold: Int, forecast: ForecastDistribution, actuals: [Double]) {
        self.origin = origin
        self.lag = lag
        self.fold = fold
        self.forecast = forecast
        self.actuals = actuals
    }
}

/// A rolling backtest: the fold-origin scores (a `BacktestReport`, as `Backtest.run` makes) and
/// the forecasts of every origin in between, for calibration.
package struct RollingBacktestResult: Sendable {
    package var report: BacktestReport
    /// Per input (same order): every origin's forecast, oldest first.
    package var origins: [[OriginForecast]]
    /// Steps between consecutive origins.
    package var originStride: Int

    package init(report: BacktestReport, origins: [[OriginForecast]], originStride: Int) {
        self.report = report
        self.origins = origins
        self.originStride = originStride
    }

    /// Steps from the earliest origin of any series to its last origin, plus one (lags 0..<span).
    package var span: Int { (origins.compactMap { $0.first?.lag }.max() ?? -1) + 1 }
}

/// Rolling-origin evaluation with refits only at the fold origins: each fold's model is fitted
/// on the data before its origin, then conditioned on each new observation (no refit) and asked
/// for a forecast every `originStride` steps until the next fold's origin — which is how a
/// published model is used between training runs. So a backtest of K folds yields forecasts from
/// about K × stride / originStride origins per series at the price of K fits.
package enum RollingBacktest {
    /// Runs the backtest. Fold origins are those of `Backtest.run` (the last leaves exactly
    /// `horizon` steps); in-between origins lie every `originStride` steps back from the last
    /// origin. `inputs[i].regressors`, when present, must cover the history exactly.
    package static func run(_ forecaster: some RollingForecaster, inputs: [ForecastInput],
                           configuration c: BacktestConfiguration, originStride: Int) throws(ForecastError) -> RollingBacktestResult {
        guard c.horizon >= 1, c.folds >= 1, c.stride >= 1, originStride >= 1 else {
            throw ForecastError(.invalidRequest, "backtest needs horizon, folds, stride and origin stride of at least 1")
        }
        for input in inputs {
            if let x = input.regressors, x.rows != input.series.count {
                throw ForecastError(.regressorMismatch,
                                    "\(input.series.id): regressors have \(x.rows) rows for \(input.series.count) points")
            }
        }
        let h = c.horizon
        var folds = [[FoldScore]](repeating: [], count: inputs.count)
        var origins = [[OriginForecast]](repeating: [], count: inputs.count)
        var diagnostics = [[String]](repeating: [], count: inputs.count)
        for fold in 0..<c.folds {
            var batch: [ForecastInput] = [], members: [(index: Int, origin: Int)] = []
            for (i, input) in inputs.enumerated() {
                let origin = input.series.count - h - (c.folds - 1 - fold) * c.stride
                guard origin >= c.minimumTrainingLength else {
                    diagnostics[i].append("fold \(fold + 1): skipped, only \(max(origin, 0)) training points")
                    continue
                }
                batch.append(Backtest.slice(input, origin: origin, horizon: h))
                members.append((i, origin))
            }
            guard !batch.isEmpty else { continue }
            let fits = try forecaster.fit(batch, horizon: h, levels: c.levels)
            for (fit, member) in zip(fits, members) {
                let input = inputs[member.index]
                let n = input.series.count, last = n - h
                diagnostics[member.index] += fit.diagnostics.map { "fold \(fold + 1): \($0)" }
                guard case .success(var model) = fit.model else {
                    if case .failure(let error) = fit.model {
                        diagnostics[member.index].append("fold \(fold + 1): no model: \(error.message)")
                    }
                    continue
                }
                // This fold's origins: the fold origin itself, then every originStride steps (aligned
                // on the last origin) up to the next fold's origin.
                let end = fold == c.folds - 1 ? last + 1 : member.origin + c.stride
                var wanted = [member.origin]
                let firstAligned = last - ((last - member.origin) / originStride) * originStride
                var o = firstAligned < member.origin ? firstAligned + originStride : firstAligned
                while o < end {
                    if o != member.origin { wanted.append(o) }
                    o += originStride
                }
                var position = member.origin
                do throws(ForecastError) {
                    for origin in wanted.sorted() {
                        if origin > position {
                            try model.append(Array(input.series.values[position..<origin]),
                                             regressors: input.regressors.map { $0.rows(position..<origin) })
                            position = origin
                        }
                        let future = input.regressors.map { $0.rows(origin..<(origin + h)) }
                        var distribution = try model.forecast(horizon: h, levels: c.levels, futureRegressors: future)
                        if let bounds = c.bounds { distribution.clamp(to: bounds) }
                        let actuals = Array(input.series.values[origin..<(origin + h)])
                        if origin == member.origin {
                            do {
                                let accuracy = try Backtest.score(distribution, actuals: actuals,
                                                                  insample: Array(input.series.values[0..<origin]),
                                                                  season: input.season ?? 1)
                                let outliers = model.originOutlierPoints
                                folds[member.index].append(FoldScore(fold: fold + 1, origin: origin, model: fit.name,
                                                                     accuracy: accuracy, forecast: distribution, actuals: actuals,
                                                                     originOutliers: outliers.isEmpty ? nil : outliers.map(\.position),
                                                                     originOutlierPoints: outliers.isEmpty ? nil : outliers))
                            } catch {
                                diagnostics[member.index].append("fold \(fold + 1): not scored: \(error.message)")
                            }
                        }
                        if (last - origin) % originStride == 0 {
                            origins[member.index].append(OriginForecast(origin: origin, lag: last - origin, fold: fold + 1,
                                                                        forecast: distribution, actuals: actuals))
                        }
                    }
                } catch {
                    diagnostics[member.index].append("fold \(fold + 1): rolling forecast stopped at origin \(position): \(error.message)")
                }
            }
        }
        let series = inputs.indices.map { i in
            SeriesBacktest(seriesID: inputs[i].series.id, folds: folds[i],
                           summary: MetricSummary(averaging: folds[i].map(\.summary)), diagnostics: diagnostics[i])
        }
        let report = BacktestReport(model: forecaster.name, configuration: c, series: series,
                                    overall: MetricSummary(averaging: series.compactMap(\.summary)))
        return RollingBacktestResult(report: report, origins: origins, originStride: originStride)
    }
}

extension FeatureMatrix {
    /// Rows `range` of the matrix (clamped to its rows).
    func rows(_ range: Range<Int>) -> FeatureMatrix {
        let lower = min(max(range.lowerBound, 0), rows), upper = min(max(range.upperBound, lower), rows)
        return FeatureMatrix(rows: upper - lower, columns: columns, names: names,
                             values: Array(values[(lower * columns)..<(upper * columns)]))
    }
}
