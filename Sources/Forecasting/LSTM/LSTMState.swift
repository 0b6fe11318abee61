/// The scoring state of one series for the actuator: the last `model.historyLength` observations
/// and their regressor rows, so that a new interval costs O(new points) to take in and a forecast
/// runs the network over exactly the window the batch forecast would read.
///
/// Since model format 2 every window is scaled by its own level (`LSTMWindowScale`), so hidden
/// states cannot be carried from one origin to the next: the forecast re-reads the window
/// (`window` steps of batch 1 per member, about 0.4 ms each at 2 × 64, window 168).
public struct LSTMState: Sendable {
    public let model: LSTMModel
    public let scaling: LSTMSeriesScaling
    /// The last observations (NaN = missing), oldest first, at most `model.historyLength`.
    public private(set) var values: [Double] = []
    /// Their regressor rows in the model's column order (empty for a model without features).
    public private(set) var rows: [[Double]] = []
    /// Observations consumed since the state was created (including the initial history).
    public private(set) var observed: Int
    /// What scaling noticed about the series.
    public private(set) var diagnostics: [String]
    /// Values of the starting history replaced as outliers near its end (positions: indices into it).
    public private(set) var originOutliers: [OriginOutlier] = []

    /// An empty state (no observations yet) for a series with the given record.
    public init(model: LSTMModel, scaling: LSTMSeriesScaling) {
        self.model = model
        self.scaling = scaling
        diagnostics = []
        observed = 0
    }

    /// Keeps the last points of `history` (what the batch forecast reads), whose regressor rows
    /// are `features[t]` (raw values in the model's column order; empty for a model without
    /// features). Outliers near the end of `history` are replaced first (`OriginScreen.clean` with
    /// `season`), as the batch forecast does; they are listed in `originOutliers` (indices into
    /// `history`).
    public init(model: LSTMModel, seriesID: String, history raw: [Double], features: [[Double]] = [],
                season: Int? = nil) throws(ForecastError) {
        let (history, outliers) = OriginScreen.clean(raw, season: season)
        guard let (scaling, notes) = model.scaling(for: seriesID, values: history) else {
            throw ForecastError(.insufficientData, "\(seriesID): no observed values to start the LSTM state from")
        }
        let f = model.shape.featureCount
        guard features.count == (f > 0 ? history.count : features.count), features.allSatisfy({ $0.count == f }) else {
            throw ForecastError(.regressorMismatch, "\(seriesID): expected \(history.count) feature rows of \(f) values")
        }
        self.init(model: model, scaling: scaling)
        let keep = model.historyLength, n = history.count
        try advance(observations: Array(history[max(0, n - keep)...]),
                    features: f > 0 ? Array(features[max(0, n - keep)...]) : [])
        observed = n
        diagnostics = notes
        originOutliers = outliers
    }

    /// Takes in new observations (NaN = missing) with their regressor rows.
    public mutating func advance(observations: [Double], features: [[Double]] = []) throws(ForecastError) {
        let k = observations.count, f = model.shape.featureCount
        guard k > 0 else { return }
        guard features.count == (f > 0 ? k : 0) || (f == 0 && features.allSatisfy(\.isEmpty)),
              features.allSatisfy({ $0.count == f })
        else {
            throw ForecastError(.regressorMismatch, "\(scaling.seriesID): expected \(k) feature rows of \(f) values")
        }
        let keep = model.historyLength
        values += observations.suffix(keep)
        if values.count > keep { values.removeFirst(values.count - keep) }
        if f > 0 {
            rows += features.suffix(keep)
            if rows.count > keep { rows.removeFirst(rows.count - keep) }
        }
        observed += k
    }

    /// The forecast for the `horizon` steps after the last observation, given their regressor rows.
    public func forecast(futureFeatures: [[Double]] = [], levels: [Double]) throws(ForecastError) -> (mean: [Double], quantiles: [[Double]]) {
        let shape = model.shape, f = shape.featureCount, horizon = shape.horizon, window = model.window
        guard futureFeatures.count == (f > 0 ? horizon : futureFeatures.count), futureFeatures.allSatisfy({ $0.count == f }),
              f > 0 || futureFeatures.allSatisfy(\.isEmpty)
        else {
            throw ForecastError(.regressorMismatch, "\(scaling.seriesID): expected \(horizon) future feature rows of \(f) values")
        }
        let ws = LSTMWorkspace<Float>(shape: shape, batch: 1, window: window)
        ws.seriesIndex[0] = scaling.embeddingIndex ?? -1
        let scale = model.windowScale(values, end: values.count)
        let regressors = f > 0 ? (rows + futureFeatures).flatMap { $0 } : []
        LSTMDataset.fillInputs(ws.inputs.pointer, row: 0, batch: 1, width: shape.inputSize, window: window,
                               values: values, regressors: regressors, features: model.features,
                               scale: scale, end: values.count)
        LSTMDataset.fillFuture(ws.future.pointer, regressors: regressors, features: model.features,
                               rows: values.count + horizon, origin: values.count, horizon: horizon)
        try ws.forwardEnsemble(model.members)
        return try model.distributionRows(ws.quantiles.pointer, scale: scale, levels: levels, blend: model.blend(for: scaling))
    }
}
