import Calibration
import Features
import Forecasting
import Foundation
import ModelRegistry
import TimeSeries

/// Scores one group with the model version it was built from: takes each series' new
/// observations in time proportional to their number and forecasts through the model's own
/// scoring path (ARIMA, ETS and Theta `append`/`forecast`, `LSTMState`, an incremental seasonal naive), with
/// the manifest's calibration tables applied. A combination combines its calibrated components
/// by the manifest's rule (`QuantileCombination`: mean, median or CRPS-weighted mean).
/// A model trained with regressors gets them from the manifest's `FeatureSchema` and the events
/// the caller passes (calendar events, the group's notices): the training path's own code.
public struct GroupScorer: Sendable {
    /// What the model version fixes, decoded once and shared by every copy of the scorer (a copy
    /// is two references, not a dozen: the actuator takes one per group several times a cycle).
    final class Definition: Sendable {
        let group: String
        let version: ModelVersion
        let kind: String
        let components: [String]
        /// How a combination merges its components, and the weighted rule's weights (components' order).
        let rule: CombinationRule
        let weights: [Double]?
        let seriesIDs: [String]
        let axis: TimeAxis
        let step: Int64
        /// Each component's calibration, prepared for repeated use (nil: not calibrated).
        let calibration: [CalibrationTable.Prepared?]
        let lstm: LSTMModel?
        /// The support every forecast is clipped into, before and after calibration, as the
        /// training job's backtest did (nil: a model trained before bounds existed).
        let bounds: SupportBounds?
        /// The regressor columns the components read (nil: none does).
        let features: ScoringFeatures?
        /// Whether a history-based model (LSTM, seasonal naive) or one carrying its fitted state
        /// (ARIMA, ETS, Theta) forecasts.
        let usesHistory: Bool
        let usesFitted: Bool
        /// Series id → its position in `states`.
        let index: [String: Int]

        init(group: String, version: ModelVersion, kind: String, components: [String], seriesIDs: [String], axis: TimeAxis,
             step: Int64, calibration: [CalibrationTable.Prepared?], lstm: LSTMModel?, features: ScoringFeatures?,
             bounds: SupportBounds? = nil, rule: CombinationRule = .mean, weights: [Double]? = nil) {
            self.rule = rule
            self.weights = weights
            self.bounds = bounds.flatMap { $0.isUnbounded ? nil : $0 }
            self.group = group
            self.version = version
            self.kind = kind
            self.components = components
            self.seriesIDs = seriesIDs
            self.axis = axis
            self.step = step
            self.calibration = calibration
            self.lstm = lstm
            self.features = features
            usesHistory = lstm != nil || components.contains(ModelArtifactFormat.seasonalNaive)
            usesFitted = components.contains { ModelArtifactFormat.fittedState.contains($0) }
            index = Dictionary(uniqueKeysWithValues: seriesIDs.enumerated().map { ($1, $0) })
        }
    }

    let definition: Definition
    public var group: String { definition.group }
    public var version: ModelVersion { definition.version }
    /// The manifest kind: `seasonal-naive`, `arima`, `ets`, `theta`, `lstm` or `combination`.
    public var kind: String { definition.kind }
    /// The models forecasting (one, or a combination's members).
    public var components: [String] { definition.components }
    /// How a combination merges its members (`mean` for a single model and older combinations).
    package var rule: CombinationRule { definition.rule }
    /// The weighted rule's weight per component (`components` order); nil for other rules.
    package var weights: [Double]? { definition.weights }
    /// The series the model was trained for.
    public var seriesIDs: [String] { definition.seriesIDs }
    public var axis: TimeAxis { definition.axis }
    public var step: Int64 { definition.step }

    /// Per-series state, in `seriesIDs` order. An array rather than a dictionary so that appends
    /// and forecasts work on the stored state in place instead of copying it out and back.
    private var states: [SeriesState]
    /// What loading noticed (missing calibration tables, …).
    package private(set) var diagnostics: [String] = []

    /// The per-series state of every component.
    ///
    /// An ARIMA, ETS or Theta model carries its state from training, so it continues from the
    /// end of its training data; the LSTM and seasonal naive start from whatever history they
    /// are given. Each side therefore keeps its own next position (`fittedNext`: that of the
    /// fitted-state components, which were fitted on the same data and so share it).
    struct SeriesState: Sendable {
        var fittedNext: Int64?
        var historyNext: Int64?
        var arima: ARIMAModel?
        var ets: ETSModel?
        var theta: ThetaModel?
        var lstm: LSTMState?
        var naive: SeasonalNaiveState?
        /// The series' seasonal period (the LSTM's first state cleans its history's origin with it).
        var season: Int?
    }

    /// Builds the scorer of a verified model version; throws for an unknown kind, a missing or
    /// undecodable file, or regressor columns the manifest's feature schema does not compute.
    public init(model: LoadedModel) throws(ScoringError) {
        let manifest = model.manifest
        let kind = manifest.kind
        func fail(_ code: ScoringError.Code, _ message: String) -> ScoringError {
            ScoringError(code, "version \(model.version.id): \(message)", group: model.group)
        }
        let hyper: ModelArtifactFormat.HyperParameters
        do {
            hyper = try ModelArtifactFormat.decode(ModelArtifactFormat.HyperParameters.self, from: manifest.hyperParameters)
        } catch {
            throw fail(.invalidArtifact, "hyper_parameters do not decode: \(error)")
        }
        let components = ModelArtifactFormat.components(kind: kind, hyper: hyper)
        guard !components.isEmpty else { throw fail(.unknownKind, "combination without components") }
        let known = [ModelArtifactFormat.seasonalNaive, ModelArtifactFormat.arima, ModelArtifactFormat.ets,
                     ModelArtifactFormat.theta, ModelArtifactFormat.lstm]
        if let unknown = components.first(where: { !known.contains($0) }) {
            throw fail(.unknownKind, "unknown model kind '\(unknown)' (this build scores \(known.joined(separator: ", ")))")
        }
        let rule = hyper.rule ?? .mean
        var weights: [Double]?
        if rule == .weighted {
            guard let w = hyper.weights, components.allSatisfy({ (w[$0] ?? -1) >= 0 }), components.contains(where: { (w[$0] ?? 0) > 0 })
            else { throw fail(.invalidArtifact, "a weighted combination needs a non-negative weight per component, got \(hyper.weights ?? [:])") }
            let total = components.reduce(0) { $0 + (w[$1] ?? 0) }
            weights = components.map { (w[$0] ?? 0) / total }
        }
        guard let grid = manifest.trainingWindow, grid.step > 0 else {
            throw fail(.invalidArtifact, "the manifest has no training window (its grid's axis and step are needed)")
        }

        var seasons = hyper.seasons ?? [:]
        var tails: [String: ModelArtifactFormat.Tail] = [:]
        var arima: [String: ARIMAModel] = [:]
        var ets: [String: ETSModel] = [:]
        var theta: [String: ThetaModel] = [:]
        var lstm: LSTMModel?
        for component in components {
            do {
                switch component {
                case ModelArtifactFormat.seasonalNaive:
                    let file = try ModelArtifactFormat.decode(ModelArtifactFormat.SeasonalNaiveFile.self,
                                                              data: model.data(ModelArtifactFormat.seasonalNaiveFile))
                    seasons.merge(file.seasons) { _, fromFile in fromFile }
                    tails = file.tails ?? [:]
                case ModelArtifactFormat.arima:
                    arima = try ModelArtifactFormat.decode([String: ARIMAModel].self, data: model.data(ModelArtifactFormat.arimaFile))
                case ModelArtifactFormat.ets:
                    ets = try ModelArtifactFormat.decode([String: ETSModel].self, data: model.data(ModelArtifactFormat.etsFile))
                case ModelArtifactFormat.theta:
                    theta = try ModelArtifactFormat.decode([String: ThetaModel].self, data: model.data(ModelArtifactFormat.thetaFile))
                default:
                    let bytes = try model.data(ModelArtifactFormat.lstmFile)
                    lstm = try LSTMModel(serialized: [UInt8](bytes))
                }
            } catch let error as ScoringError {
                throw error
            } catch {
                throw fail(.invalidArtifact, "\(component): \(error)")
            }
        }
        let features: ScoringFeatures?
        do throws(ScoringError) {
            features = try ScoringFeatures(schema: manifest.featureSchema, axis: grid.axis,
                                           arima: arima.mapValues(\.specification.exogenous), lstm: lstm)
        } catch {
            throw fail(.features, error.message)
        }
        // The group's series: those the manifest lists, and every series an ARIMA, ETS or Theta was fitted for.
        let seriesIDs = Set(seasons.keys).union(arima.keys).union(ets.keys).union(theta.keys).sorted()

        var tables: [String: CalibrationTable] = [:]
        var notes: [String] = []
        if manifest.calibration != .null {
            do {
                tables = try ModelArtifactFormat.decode([String: CalibrationTable].self, from: manifest.calibration)
            } catch {
                notes.append("calibration section does not decode (\(error)): forecasts are not calibrated")
            }
        }
        for c in components where tables[c] == nil && manifest.calibration != .null {
            notes.append("\(c): no calibration table: its quantiles are not corrected")
        }
        definition = Definition(group: model.group, version: model.version, kind: kind, components: components,
                                seriesIDs: seriesIDs, axis: grid.axis, step: grid.step,
                                calibration: components.map { tables[$0]?.prepared() }, lstm: lstm, features: features,
                                bounds: hyper.bounds, rule: rule, weights: weights)
        var states: [SeriesState] = []
        for id in seriesIDs {
            var state = SeriesState()
            // A series without a fitted model (the fit left it out) cannot be scored by this model.
            var next: [Int64] = []
            if components.contains(ModelArtifactFormat.arima) {
                state.arima = arima[id]
                if let p = arima[id]?.nextPosition { next.append(p) }
            }
            if components.contains(ModelArtifactFormat.ets) {
                state.ets = ets[id]
                if let p = ets[id]?.nextPosition { next.append(p) }
            }
            if components.contains(ModelArtifactFormat.theta) {
                state.theta = theta[id]
                if let p = theta[id]?.nextPosition { next.append(p) }
            }
            if Set(next).count > 1 {
                throw fail(.invalidArtifact, "\(id): the fitted components end at different positions \(next.sorted())")
            }
            state.fittedNext = next.first
            state.season = seasons[id]
            if components.contains(ModelArtifactFormat.seasonalNaive) {
                state.naive = SeasonalNaiveState(season: seasons[id] ?? 1)
            }
            states.append(state)
        }
        self.states = states
        diagnostics = notes
        // Prime the history-based state with the end of the training data, so that forecasts are
        // available at once (an ARIMA skips the points it has already seen).
        for (id, tail) in tails.sorted(by: { $0.key < $1.key }) where definition.index[id] != nil && !tail.values.isEmpty {
            do throws(ScoringError) {
                try append(seriesID: id, observations: tail.values.map { $0 ?? .nan }, startingAt: tail.start)
            } catch {
                diagnostics.append("\(id): the stored training tail does not apply (\(error)); forecasts start after live data")
            }
        }
    }

    /// Whether some component reads regressors (then `append` and `forecast` need the events).
    package var usesFeatures: Bool { definition.features != nil }

    /// How far before and after an event window the model's event columns reach (nil: no regressors).
    package var featureReach: (lead: Int64, lag: Int64)? { definition.features?.reach }

    /// The regressor columns through which *every* component reads `event` for `seriesID` —
    /// the model has learned a coefficient for it — with their largest lead and lag; nil when
    /// some component does not (a seasonal naive, an ARIMA that dropped the column, a
    /// `notice_multiplier` column and a notice that gives only a level): such an event cannot
    /// change the forecast through the model.
    package func learnedColumns(of event: Event, seriesID: String) -> (names: [String], lead: Int64, lag: Int64)? {
        let d = definition
        guard let f = d.features, let i = d.index[seriesID], event.scope.applies(toSeries: seriesID, group: d.group) else { return nil }
        var names = Set<String>(), lead: Int64 = 0, lag: Int64 = 0
        for component in d.components {
            let used: [String]
            switch component {
            case ModelArtifactFormat.arima: used = states[i].arima?.specification.exogenous ?? []
            case ModelArtifactFormat.lstm: used = d.lstm?.features.names ?? []
            default: used = []
            }
            let carrying = f.columns(carrying: event, among: Set(used))
            guard !carrying.names.isEmpty else { return nil }
            names.formUnion(carrying.names)
            lead = max(lead, carrying.lead)
            lag = max(lag, carrying.lag)
        }
        return (names.sorted(), lead, lag)
    }

    /// The grid position the next observation of `seriesID` is expected at (nil: any position).
    /// (With several components, the furthest one's: earlier points are skipped by it.)
    public func nextPosition(seriesID: String) -> Int64? {
        guard let i = definition.index[seriesID] else { return nil }
        switch (states[i].fittedNext, states[i].historyNext) {
        case let (a?, b?): return max(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    /// Conditions the model on new observations of `seriesID`, the first at grid position
    /// `start`; points already seen are skipped and a gap is filled with missing values.
    /// `events` (calendar events, the group's notices) give a model with regressors their values
    /// at those positions; a model without regressors ignores them.
    /// Cost: O(new points) (the first call on an LSTM reads at most its window). On an error
    /// nothing has changed.
    public mutating func append(seriesID: String, observations: [Double], startingAt start: Int64,
                                events: [Event] = []) throws(ScoringError) {
        let d = definition
        guard let i = d.index[seriesID] else {
            throw ScoringError(.unknownSeries, "the model (version \(d.version.id)) was not trained for this series",
                               group: d.group, seriesID: seriesID)
        }
        func aligned(_ expected: Int64?) throws(ScoringError) -> [Double] {
            switch Alignment.align(observations, start: start, expected: expected, step: d.step) {
            case .success(let v): return v
            case .failure(let problem): throw ScoringError(.invalidRequest, problem.message, group: d.group, seriesID: seriesID)
            }
        }
        let fittedValues = d.usesFitted ? try aligned(states[i].fittedNext) : []
        let historyValues = d.usesHistory ? try aligned(states[i].historyNext) : []
        // Regressor rows of the positions each side takes (aligned values start at its next
        // position, or at `start` before the first point).
        var arimaRegressors: FeatureMatrix?
        var lstmFeatures: [[Double]] = []
        if let f = d.features {
            if !fittedValues.isEmpty, let first = states[i].fittedNext,
               states[i].arima?.specification.exogenous.isEmpty == false {
                arimaRegressors = try f.matrix(start: first, step: d.step, count: fittedValues.count, seriesID: seriesID,
                                               group: d.group, events: events)
            }
            if !historyValues.isEmpty, !f.lstmColumns.isEmpty {
                lstmFeatures = f.lstmRows(try f.matrix(start: states[i].historyNext ?? start, step: d.step, count: historyValues.count,
                                                       seriesID: seriesID, group: d.group, events: events))
            }
        }
        do throws(ForecastError) {
            // All or nothing, in the order of the components: a step that can fail after another
            // one changed something works on a copy, committed at the end; otherwise the stored
            // state changes in place (no copy of the model per point).
            let lstmFollows = d.usesHistory && !historyValues.isEmpty && d.lstm != nil
            let usesETS = d.components.contains(ModelArtifactFormat.ets)
            let usesTheta = d.components.contains(ModelArtifactFormat.theta)
            var pendingARIMA: ARIMAModel?
            if d.components.contains(ModelArtifactFormat.arima) {
                guard states[i].arima != nil else { throw missingModel(seriesID, "ARIMA") }
                if !fittedValues.isEmpty {
                    if lstmFollows || usesETS || usesTheta {
                        var model = states[i].arima
                        try model?.append(observations: fittedValues, regressors: arimaRegressors)
                        pendingARIMA = model
                    } else {
                        // `ARIMAModel.append` checks its regressors before it changes anything.
                        try states[i].arima?.append(observations: fittedValues, regressors: arimaRegressors)
                        states[i].fittedNext = states[i].arima?.nextPosition
                    }
                }
            }
            // ETS and Theta states are a few numbers and one season: updated on copies.
            var pendingETS: ETSModel?, pendingTheta: ThetaModel?
            if usesETS {
                guard var model = states[i].ets else { throw missingModel(seriesID, "ETS") }
                if !fittedValues.isEmpty {
                    try model.append(observations: fittedValues)
                    pendingETS = model
                }
            }
            if usesTheta {
                guard var model = states[i].theta else { throw missingModel(seriesID, "Theta") }
                if !fittedValues.isEmpty {
                    try model.append(observations: fittedValues)
                    pendingTheta = model
                }
            }
            var lstmState: LSTMState?
            if lstmFollows, let lstm = d.lstm {
                if var s = states[i].lstm {
                    try s.advance(observations: historyValues, features: lstmFeatures)
                    lstmState = s
                } else {
                    // The first call reads the last `window` points, as the batch forecast does.
                    lstmState = try LSTMState(model: lstm, seriesID: seriesID, history: historyValues, features: lstmFeatures,
                                              season: states[i].season)
                }
            }
            if let pendingARIMA {
                states[i].arima = pendingARIMA
                states[i].fittedNext = pendingARIMA.nextPosition
            }
            if let pendingETS {
                states[i].ets = pendingETS
                states[i].fittedNext = pendingETS.nextPosition
            }
            if let pendingTheta {
                states[i].theta = pendingTheta
                states[i].fittedNext = pendingTheta.nextPosition
            }
            if d.usesHistory, !historyValues.isEmpty {
                if let lstmState { states[i].lstm = lstmState }
                states[i].naive?.append(historyValues)
                states[i].historyNext = (states[i].historyNext ?? start) + Int64(historyValues.count) * d.step
            }
        } catch {
            throw ScoringError.from(error, group: d.group, seriesID: seriesID)
        }
    }

    /// The calibrated forecast of every series for `horizon` steps after its last observation;
    /// `events` give a model with regressors their future values (see `append`).
    public func forecast(horizon: Int, levels: [Double], events: [Event] = []) -> [String: Result<ForecastDistribution, ScoringError>] {
        var out: [String: Result<ForecastDistribution, ScoringError>] = [:]
        for id in seriesIDs {
            do throws(ScoringError) {
                out[id] = .success(try forecast(seriesID: id, horizon: horizon, levels: levels, events: events))
            } catch {
                out[id] = .failure(error)
            }
        }
        return out
    }

    /// The calibrated forecast of one series.
    public func forecast(seriesID id: String, horizon: Int, levels: [Double], events: [Event] = []) throws(ScoringError) -> ForecastDistribution {
        let d = definition
        guard let i = d.index[id] else {
            throw ScoringError(.unknownSeries, "the model (version \(d.version.id)) was not trained for this series",
                               group: d.group, seriesID: id)
        }
        guard horizon >= 1 else { throw ScoringError(.invalidRequest, "horizon must be at least 1", group: d.group, seriesID: id) }
        let fittedOrigin = d.usesFitted ? states[i].fittedNext : nil, historyOrigin = d.usesHistory ? states[i].historyNext : nil
        if let fittedOrigin, let historyOrigin, fittedOrigin != historyOrigin {
            throw ScoringError(.forecast, "the components have seen data up to different positions \([fittedOrigin, historyOrigin].sorted()): "
                               + "append the points they miss", group: d.group, seriesID: id)
        }
        guard let next = fittedOrigin ?? historyOrigin, !(d.usesHistory && states[i].historyNext == nil) else {
            throw ScoringError(.forecast, "no observations yet", group: d.group, seriesID: id)
        }
        let grid = TimeGrid(axis: d.axis, start: next, step: d.step, count: horizon)
        // The future regressor rows: the horizon, or an LSTM's whole trained horizon (its head reads all of them).
        var future: FeatureMatrix?
        if let f = d.features {
            let rows = f.lstmColumns.isEmpty ? horizon : max(horizon, d.lstm?.horizon ?? 0)
            future = try f.matrix(start: next, step: d.step, count: rows, seriesID: id, group: d.group, events: events)
        }
        var parts: [ForecastDistribution] = []
        parts.reserveCapacity(d.components.count)
        for (c, component) in d.components.enumerated() {
            var part: ForecastDistribution
            do throws(ForecastError) {
                part = try forecast(component, series: i, id: id, grid: grid, levels: levels, future: future)
            } catch {
                throw ScoringError.from(error, group: d.group, seriesID: id)
            }
            if let bounds = d.bounds {
                part.clamp(to: bounds)
                d.calibration[c]?.apply(to: &part)
                part.clamp(to: bounds)
            } else {
                d.calibration[c]?.apply(to: &part)
            }
            parts.append(part)
        }
        // A mean or median of clipped components stays within the bounds.
        guard parts.count > 1 else { return parts[0] }
        // The calibrated components combined as the pipeline selected them (`QuantileCombination`).
        do throws(ForecastError) {
            return try QuantileCombination.combine(parts, rule: d.rule, weights: d.weights)
        } catch {
            throw ScoringError(.forecast, error.message, group: d.group, seriesID: id)
        }
    }

    private func forecast(_ component: String, series i: Int, id: String, grid: TimeGrid,
                          levels: [Double], future: FeatureMatrix?) throws(ForecastError) -> ForecastDistribution {
        let rows: (mean: [Double], quantiles: [[Double]])
        switch component {
        case ModelArtifactFormat.arima:
            // Called on the stored model, not a copy of it. The first `horizon` rows of `future`.
            let regressors = future.map { $0.rows == grid.count ? $0 : $0.prefix(rows: grid.count) }
            guard let forecast = try states[i].arima?.forecast(horizon: grid.count, levels: levels, futureRegressors: regressors)
            else { throw missingModel(id, "ARIMA") }
            return forecast
        case ModelArtifactFormat.ets:
            guard let model = states[i].ets else { throw missingModel(id, "ETS") }
            return try model.forecast(horizon: grid.count, levels: levels)
        case ModelArtifactFormat.theta:
            guard let model = states[i].theta else { throw missingModel(id, "Theta") }
            return try model.forecast(horizon: grid.count, levels: levels)
        case ModelArtifactFormat.lstm:
            guard let lstm = definition.lstm, let s = states[i].lstm else { throw ForecastError(.insufficientData, "no observed values yet") }
            guard grid.count <= lstm.horizon else {
                throw ForecastError(.invalidRequest, "horizon \(grid.count) exceeds the LSTM's trained horizon \(lstm.horizon)")
            }
            let features = definition.features.map { f in future.map { f.lstmRows($0.prefix(rows: lstm.horizon)) } ?? [] } ?? []
            let full = try s.forecast(futureFeatures: features, levels: levels)
            rows = (Array(full.mean.prefix(grid.count)), Array(full.quantiles.prefix(grid.count)))
        default:
            guard let r = states[i].naive?.forecast(horizon: grid.count, levels: levels) else {
                throw ForecastError(.insufficientData, "no observed values")
            }
            rows = (r.mean, r.quantiles)
        }
        do {
            return try ForecastDistribution(grid: grid, levels: levels, mean: rows.mean, quantiles: rows.quantiles)
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }

    private func missingModel(_ id: String, _ engine: String) -> ForecastError {
        ForecastError(.insufficientData, "\(id): the training job fitted no \(engine) for this series")
    }
}
