import Evaluation
import Features
import Forecasting
import Foundation
import TimeSeries

// The candidates as `RollingForecaster`s: fitted once per backtest fold, then moved forward
// through the same scoring paths the actuator uses on a published model (ARIMA `append`, the
// LSTM's carried state, seasonal naive on the growing history). Fallbacks are those of the
// engines' batch forecasters: ARIMA → ARIMA(0,1,1) → seasonal naive; LSTM, ETS, Theta → seasonal naive.

extension ModelCatalog {
    /// The rolling form of a candidate, or nil for an unknown name.
    package func rollingForecaster(_ name: String) -> (any RollingForecaster)? {
        switch name {
        case "seasonal-naive": return RollingSeasonalNaive()
        case "arima": return RollingARIMA(options: arima)
        case "ets": return RollingETS(options: ets)
        case "theta": return RollingTheta(options: theta)
        case "lstm":
            var c = lstm
            c.reportsProgress = false
            c.threads = 1
            return RollingLSTM(configuration: c, global: globalLSTM)
        default: return nil
        }
    }
}

/// Seasonal naive on the history seen so far (its σ is re-estimated at every origin, as a refit would).
struct SeasonalNaiveModel: RollingModel {
    var series: Series
    var season: Int?

    init(_ input: ForecastInput) {
        series = input.series
        season = input.season
    }

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        series.values += values
        let g = series.grid
        series.grid = TimeGrid(axis: g.axis, start: g.start, step: g.step, count: series.values.count)
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        try SeasonalNaive().forecast([ForecastInput(series: series, season: season)], horizon: horizon, levels: levels)[0].result.get()
    }

    static func fit(_ input: ForecastInput, diagnostics: [String] = []) -> RollingFit {
        let m = input.season ?? 1
        let name = m > 1 && input.series.count >= 2 * m ? "seasonal-naive[\(m)]" : "naive"
        return RollingFit(model: .success(SeasonalNaiveModel(input)), name: name, diagnostics: diagnostics)
    }
}

struct RollingSeasonalNaive: RollingForecaster {
    let name = "seasonal-naive"
    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { SeasonalNaiveModel.fit($0) }
    }
}

/// A fitted ARIMA, conditioned on new observations by its Kalman filter.
struct ARIMARollingModel: RollingModel {
    var model: ARIMAModel

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        try model.append(observations: values, regressors: regressors)
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        try model.forecast(horizon: horizon, levels: levels, futureRegressors: futureRegressors)
    }

    var originOutlierPoints: [OriginOutlier] { model.originOutlierPoints }
}

/// ARIMA per fold. With `orders` set (`psm forecast --model auto`), a series whose order a
/// search already chose (on its full history, before the backtest) is re-estimated with that
/// order — parameters only — instead of searched again; without (`psm train`), every fold searches.
struct RollingARIMA: RollingForecaster {
    let name = "arima"
    var options: AutoARIMAOptions
    var orders: ModelMemo<ARIMASpecification>?

    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { input in
            var notes: [String] = []
            if let spec = orders?[input.series.id] {
                do throws(ForecastError) {
                    let model = try OriginScreen.refitWithoutOutliers(input.series) { (s) throws(ForecastError) -> ARIMAModel in
                        try ARIMAModel.fit(s, specification: spec, regressors: input.regressors)
                    }
                    return RollingFit(model: .success(ARIMARollingModel(model: model)), name: model.name, diagnostics: model.diagnostics)
                } catch {
                    notes.append("\(spec) could not be re-estimated (\(error.message)): searched again")
                }
            }
            do throws(ForecastError) {
                let model = try AutoARIMA.fitGuardingOrigin(input.series, season: input.season, regressors: input.regressors, options: options)
                orders?[input.series.id] = model.specification
                return RollingFit(model: .success(ARIMARollingModel(model: model)), name: model.name, diagnostics: notes + model.diagnostics)
            } catch {
                notes.append("automatic ARIMA failed (\(error.message)): fell back to ARIMA(0,1,1)")
            }
            do throws(ForecastError) {
                let model = try ARIMAModel.fit(input.series, specification: ARIMASpecification(order: ARIMAOrder(p: 0, d: 1, q: 1)))
                return RollingFit(model: .success(ARIMARollingModel(model: model)), name: model.name, diagnostics: notes)
            } catch {
                notes.append("ARIMA(0,1,1) failed (\(error.message)): fell back to seasonal naive")
            }
            return SeasonalNaiveModel.fit(input, diagnostics: notes)
        }
    }
}

/// A fitted ETS model, conditioned on new observations by its state update (`ETSModel.append`).
/// ETS and Theta take no regressors: a group's calendar columns are not used by them.
struct ETSRollingModel: RollingModel {
    var model: ETSModel

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        try model.append(observations: values)
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        try model.forecast(horizon: horizon, levels: levels)
    }

    var originOutlierPoints: [OriginOutlier] { model.originOutlierPoints }
}

/// ETS per fold, then `append` between the fold's origins, as the actuator scores a published
/// ETS. The full AutoETS search runs once per series (at its first fold, or for `psm forecast
/// --model auto` on the full history before the backtest); later fits re-estimate the
/// specification it chose, starting from that search's optimum (`ETSModel.refit`) — the search
/// is most of the cost (docs/ets-theta.md, "Cost"). A re-estimate that fails searches again.
/// Fallback: seasonal naive.
struct RollingETS: RollingForecaster {
    let name = "ets"
    var options: AutoETSOptions
    /// The model each series' search found (a new memo per `rollingForecaster` call: one
    /// group's backtest of this candidate).
    let chosen = ModelMemo<ETSModel>()

    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { input in
            var notes: [String] = []
            if let previous = chosen[input.series.id] {
                do throws(ForecastError) {
                    let model = try ETSModel.refit(input.series, like: previous)
                    return RollingFit(model: .success(ETSRollingModel(model: model)), name: model.name, diagnostics: model.diagnostics)
                } catch {
                    notes.append("\(previous.specification) could not be re-estimated (\(error.message)): searched again")
                }
            }
            do throws(ForecastError) {
                let model = try AutoETS.fit(input.series, season: input.season, options: options)
                chosen[input.series.id] = model
                return RollingFit(model: .success(ETSRollingModel(model: model)), name: model.name, diagnostics: notes + model.diagnostics)
            } catch {
                return SeasonalNaiveModel.fit(input, diagnostics: notes + ["ETS failed (\(error.message)): fell back to seasonal naive"])
            }
        }
    }
}

/// Series id → what a search found for it, shared by the copies of one rolling forecaster
/// (a backtest's folds run in order).
final class ModelMemo<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Value] = [:]

    subscript(id: String) -> Value? {
        get { lock.withLock { values[id] } }
        set { lock.withLock { values[id] = newValue } }
    }
}

/// A fitted Theta model, conditioned on new observations by its state update (`ThetaModel.append`).
struct ThetaRollingModel: RollingModel {
    var model: ThetaModel

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        try model.append(observations: values)
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        try model.forecast(horizon: horizon, levels: levels)
    }

    var originOutlierPoints: [OriginOutlier] { model.originOutlierPoints }
}

/// Optimised Theta per fold, then `append` between the fold's origins. Fallback: seasonal naive.
struct RollingTheta: RollingForecaster {
    let name = "theta"
    var options: ThetaOptions

    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        inputs.map { input in
            do throws(ForecastError) {
                let model = try ThetaModel.fit(input.series, season: input.season, options: options)
                return RollingFit(model: .success(ThetaRollingModel(model: model)), name: model.name, diagnostics: model.diagnostics)
            } catch {
                return SeasonalNaiveModel.fit(input, diagnostics: ["Theta failed (\(error.message)): fell back to seasonal naive"])
            }
        }
    }
}

/// The group's LSTM with one series' carried hidden state.
struct LSTMRollingModel: RollingModel {
    var state: LSTMState
    var grid: TimeGrid
    /// The fold's starting history's outliers near its origin (the state read cleaned values).
    var originOutlierPoints: [OriginOutlier] = []

    mutating func append(_ values: [Double], regressors: FeatureMatrix?) throws(ForecastError) {
        try state.advance(observations: values, features: Self.rows(regressors, state.model))
        grid = TimeGrid(axis: grid.axis, start: grid.start, step: grid.step, count: grid.count + values.count)
    }

    func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        guard horizon <= state.model.horizon else {
            throw ForecastError(.invalidRequest, "horizon \(horizon) exceeds the LSTM's trained horizon \(state.model.horizon)")
        }
        let rows = try state.forecast(futureFeatures: Self.rows(futureRegressors, state.model), levels: levels)
        do {
            return try ForecastDistribution(grid: grid.future(horizon), levels: levels, mean: Array(rows.mean.prefix(horizon)),
                                            quantiles: Array(rows.quantiles.prefix(horizon)))
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }

    /// A regressor matrix as the rows of raw feature values the LSTM reads, in its column order
    /// (none without features; a network shared across groups reads a subset of a group's columns).
    static func rows(_ matrix: FeatureMatrix?, _ model: LSTMModel) -> [[Double]] {
        guard model.shape.featureCount > 0, let matrix = matrix?.selecting(model.features.names) else { return [] }
        return (0..<matrix.rows).map { Array(matrix.row($0)) }
    }
}

struct RollingLSTM: RollingForecaster {
    let name = "lstm"
    var configuration: LSTMConfiguration
    /// The network shared across groups: each fold reads the one trained on every pooled series
    /// before the fold's cut-off; nil: a network per fold on these inputs alone.
    var global: GlobalLSTM?

    func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [RollingFit] {
        let fitted = if let global {
            try global.model(before: GlobalLSTM.cutoff(inputs), horizon: horizon, levels: levels)
        } else {
            try LSTMForecaster(configuration: configuration).fit(inputs, horizon: horizon, levels: levels)
        }
        guard let (model, notes) = fitted else {
            return inputs.map { SeasonalNaiveModel.fit($0, diagnostics: ["lstm: no series is long enough to train on: used seasonal naive"]) }
        }
        guard model.training.bestEpoch > 0 else {
            return inputs.map { SeasonalNaiveModel.fit($0, diagnostics: ["lstm: \(model.training.stopReason): used seasonal naive"]) }
        }
        return inputs.map { input in
            let id = input.series.id
            let history = input.series.values
            let features = LSTMRollingModel.rows(input.regressors?.prefix(rows: history.count), model)
            do throws(ForecastError) {
                let state = try LSTMState(model: model, seriesID: id, history: history, features: features, season: input.season)
                let outliers = OriginScreen.onGrid(state.originOutliers, input.series.grid)
                return RollingFit(model: .success(LSTMRollingModel(state: state, grid: input.series.grid, originOutlierPoints: outliers)),
                                  name: "lstm", diagnostics: (notes[id] ?? []) + OriginScreen.note(outliers, axis: input.series.grid.axis))
            } catch {
                return RollingFit(model: .failure(error), name: "lstm", diagnostics: notes[id] ?? [])
            }
        }
    }
}
