import Calibration
import Forecasting
import Foundation
import ModelRegistry
import TimeSeries

/// Scores one group with the model version it was built from: takes each series' new
/// observations in time proportional to their number and forecasts through the model's own
/// scoring path (ARIMA `append`/`forecast`, `LSTMState`, an incremental seasonal naive), with
/// the manifest's calibration tables applied. A combination averages its calibrated components.
public struct GroupScorer: Sendable {
    public let group: String
    public let version: ModelVersion
    /// The manifest kind: `seasonal-naive`, `arima`, `lstm` or `combination`.
    public let kind: String
    /// The models forecasting (one, or the two a combination averages).
    public let components: [String]
    /// The series the model was trained for.
    public let seriesIDs: [String]
    public let axis: TimeAxis
    public let step: Int64

    let tables: [String: CalibrationTable]
    let arima: [String: ARIMAModel]
    let lstm: LSTMModel?
    let seasons: [String: Int]
    private var series: [String: SeriesState]
    /// What loading noticed (missing calibration tables, …).
    public private(set) var diagnostics: [String] = []

    /// The per-series state of every component.
    ///
    /// An ARIMA carries its filter state from training, so it continues from the end of its
    /// training data; the LSTM and seasonal naive start from whatever history they are given.
    /// Each side therefore keeps its own next position.
    struct SeriesState: Sendable {
        var arimaNext: Int64?
        var historyNext: Int64?
        var arima: ARIMAModel?
        var lstm: LSTMState?
        var naive: SeasonalNaiveState?
    }

    /// Builds the scorer of a verified model version; throws for an unknown kind, a missing or
    /// undecodable file, or a model the scorer cannot drive (an LSTM that needs regressors).
    public init(model: LoadedModel) throws(ScoringError) {
        let manifest = model.manifest
        group = model.group
        version = model.version
        kind = manifest.kind
        func fail(_ code: ScoringError.Code, _ message: String) -> ScoringError {
            ScoringError(code, "version \(model.version.id): \(message)", group: model.group)
        }
        let hyper: ModelArtifactFormat.HyperParameters
        do {
            hyper = try ModelArtifactFormat.decode(ModelArtifactFormat.HyperParameters.self, from: manifest.hyperParameters)
        } catch {
            throw fail(.invalidArtifact, "hyper_parameters do not decode: \(error)")
        }
        components = ModelArtifactFormat.components(kind: kind, hyper: hyper)
        guard !components.isEmpty else { throw fail(.unknownKind, "combination without components") }
        let known = [ModelArtifactFormat.seasonalNaive, ModelArtifactFormat.arima, ModelArtifactFormat.lstm]
        if let unknown = components.first(where: { !known.contains($0) }) {
            throw fail(.unknownKind, "unknown model kind '\(unknown)' (this build scores \(known.joined(separator: ", ")))")
        }
        guard let grid = manifest.trainingWindow, grid.step > 0 else {
            throw fail(.invalidArtifact, "the manifest has no training window (its grid's axis and step are needed)")
        }
        axis = grid.axis
        step = grid.step

        var seasons = hyper.seasons ?? [:]
        var tails: [String: ModelArtifactFormat.Tail] = [:]
        var arima: [String: ARIMAModel] = [:]
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
                default:
                    let bytes = try model.data(ModelArtifactFormat.lstmFile)
                    let decoded = try LSTMModel(serialized: [UInt8](bytes))
                    guard decoded.shape.featureCount == 0 else {
                        throw fail(.unsupported, "the LSTM uses \(decoded.shape.featureCount) regressor columns; "
                                   + "scoring with regressors is not implemented yet")
                    }
                    lstm = decoded
                }
            } catch let error as ScoringError {
                throw error
            } catch {
                throw fail(.invalidArtifact, "\(component): \(error)")
            }
        }
        self.seasons = seasons
        self.arima = arima
        self.lstm = lstm
        // The group's series: those the manifest lists, and every series an ARIMA was fitted for.
        let ids = Set(seasons.keys).union(arima.keys)
        seriesIDs = ids.sorted()

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
        self.tables = tables
        series = [:]
        for id in ids {
            var state = SeriesState()
            if components.contains(ModelArtifactFormat.arima) {
                // A series without an ARIMA (the fit left it out) cannot be scored by this model.
                state.arima = arima[id]
                state.arimaNext = arima[id]?.nextPosition
            }
            if components.contains(ModelArtifactFormat.seasonalNaive) {
                state.naive = SeasonalNaiveState(season: seasons[id] ?? 1)
            }
            series[id] = state
        }
        diagnostics = notes
        // Prime the history-based state with the end of the training data, so that forecasts are
        // available at once (an ARIMA skips the points it has already seen).
        for (id, tail) in tails.sorted(by: { $0.key < $1.key }) where series[id] != nil && !tail.values.isEmpty {
            do throws(ScoringError) {
                try append(seriesID: id, observations: tail.values.map { $0 ?? .nan }, startingAt: tail.start)
            } catch {
                diagnostics.append("\(id): the stored training tail does not apply (\(error)); forecasts start after live data")
            }
        }
    }

    /// The grid position the next observation of `seriesID` is expected at (nil: any position).
    /// (With several components, the furthest one's: earlier points are skipped by it.)
    public func nextPosition(seriesID: String) -> Int64? {
        guard let s = series[seriesID] else { return nil }
        return [s.arimaNext, s.historyNext].compactMap { $0 }.max()
    }

    private var usesHistory: Bool { lstm != nil || components.contains(ModelArtifactFormat.seasonalNaive) }
    private var usesARIMA: Bool { components.contains(ModelArtifactFormat.arima) }

    /// Conditions the model on new observations of `seriesID`, the first at grid position
    /// `start`; points already seen are skipped and a gap is filled with missing values.
    /// Cost: O(new points) (the first call on an LSTM reads at most its window).
    public mutating func append(seriesID: String, observations: [Double], startingAt start: Int64) throws(ScoringError) {
        guard var state = series[seriesID] else {
            throw ScoringError(.unknownSeries, "the model (version \(version.id)) was not trained for this series",
                               group: group, seriesID: seriesID)
        }
        func aligned(_ expected: Int64?) throws(ScoringError) -> [Double] {
            switch Alignment.align(observations, start: start, expected: expected, step: step) {
            case .success(let v): return v
            case .failure(let problem): throw ScoringError(.invalidRequest, problem.message, group: group, seriesID: seriesID)
            }
        }
        let arimaValues = usesARIMA ? try aligned(state.arimaNext) : []
        let historyValues = usesHistory ? try aligned(state.historyNext) : []
        do throws(ForecastError) {
            if usesARIMA {
                guard var model = state.arima else { throw missingARIMA(seriesID) }
                let values = arimaValues
                if !values.isEmpty {
                    try model.append(observations: values)
                    state.arima = model
                    state.arimaNext = model.nextPosition
                }
            }
            if usesHistory {
                let values = historyValues
                if !values.isEmpty {
                    if let lstm {
                        if var s = state.lstm {
                            try s.advance(observations: values)
                            state.lstm = s
                        } else {
                            // The first call reads the last `window` points, as the batch forecast does.
                            state.lstm = try LSTMState(model: lstm, seriesID: seriesID, history: values)
                        }
                    }
                    state.naive?.append(values)
                    state.historyNext = (state.historyNext ?? start) + Int64(values.count) * step
                }
            }
        } catch {
            throw ScoringError.from(error, group: group, seriesID: seriesID)
        }
        series[seriesID] = state
    }

    /// The calibrated forecast of every series for `horizon` steps after its last observation.
    public func forecast(horizon: Int, levels: [Double]) -> [String: Result<ForecastDistribution, ScoringError>] {
        var out: [String: Result<ForecastDistribution, ScoringError>] = [:]
        for id in seriesIDs {
            do throws(ScoringError) {
                out[id] = .success(try forecast(seriesID: id, horizon: horizon, levels: levels))
            } catch {
                out[id] = .failure(error)
            }
        }
        return out
    }

    /// The calibrated forecast of one series.
    public func forecast(seriesID id: String, horizon: Int, levels: [Double]) throws(ScoringError) -> ForecastDistribution {
        guard let state = series[id] else {
            throw ScoringError(.unknownSeries, "the model (version \(version.id)) was not trained for this series",
                               group: group, seriesID: id)
        }
        guard horizon >= 1 else { throw ScoringError(.invalidRequest, "horizon must be at least 1", group: group, seriesID: id) }
        let origins = Set([usesARIMA ? state.arimaNext : nil, usesHistory ? state.historyNext : nil].compactMap { $0 })
        guard origins.count <= 1 else {
            throw ScoringError(.forecast, "the components have seen data up to different positions \(origins.sorted()): "
                               + "append the points they miss", group: group, seriesID: id)
        }
        guard let next = origins.first, !(usesHistory && state.historyNext == nil) else {
            throw ScoringError(.forecast, "no observations yet", group: group, seriesID: id)
        }
        let grid = TimeGrid(axis: axis, start: next, step: step, count: horizon)
        var parts: [ForecastDistribution] = []
        for component in components {
            let raw: ForecastDistribution
            do throws(ForecastError) {
                raw = try forecast(component, state: state, id: id, grid: grid, levels: levels)
            } catch {
                throw ScoringError.from(error, group: group, seriesID: id)
            }
            parts.append(tables[component]?.apply(to: raw) ?? raw)
        }
        guard parts.count > 1 else { return parts[0] }
        // Equal-weight average of the calibrated components, as the pipeline selected it.
        let n = Double(parts.count)
        let mean = (0..<horizon).map { h in parts.reduce(0) { $0 + $1.mean[h] } / n }
        let quantiles = (0..<horizon).map { h in
            (0..<levels.count).map { k in parts.reduce(0) { $0 + $1.quantiles[h][k] } / n }
        }
        do {
            return try ForecastDistribution(grid: grid, levels: levels, mean: mean, quantiles: quantiles)
        } catch {
            throw ScoringError(.forecast, error.description, group: group, seriesID: id)
        }
    }

    private func forecast(_ component: String, state: SeriesState, id: String, grid: TimeGrid,
                          levels: [Double]) throws(ForecastError) -> ForecastDistribution {
        let rows: (mean: [Double], quantiles: [[Double]])
        switch component {
        case ModelArtifactFormat.arima:
            guard let model = state.arima else { throw missingARIMA(id) }
            return try model.forecast(horizon: grid.count, levels: levels)
        case ModelArtifactFormat.lstm:
            guard let lstm, let s = state.lstm else { throw ForecastError(.insufficientData, "no observed values yet") }
            guard grid.count <= lstm.horizon else {
                throw ForecastError(.invalidRequest, "horizon \(grid.count) exceeds the LSTM's trained horizon \(lstm.horizon)")
            }
            let full = try s.forecast(levels: levels)
            rows = (Array(full.mean.prefix(grid.count)), Array(full.quantiles.prefix(grid.count)))
        default:
            guard let naive = state.naive, let r = naive.forecast(horizon: grid.count, levels: levels) else {
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

    private func missingARIMA(_ id: String) -> ForecastError {
        ForecastError(.insufficientData, "\(id): the training job fitted no ARIMA for this series")
    }
}
