import LinearAlgebra

/// The scoring state of one series for the actuator: the LSTM's hidden and cell states after the
/// observations seen so far, so that each new interval costs O(new points), not a re-run of the
/// whole window.
///
/// The state starts from the last `window` points of a history (exactly what the batch forecast
/// reads) and then carries forward indefinitely; the network's forget gates make distant points
/// fade, as they do inside a training window.
public struct LSTMState: Sendable {
    public let model: LSTMModel
    public let scaling: LSTMSeriesScaling
    /// Per layer, the hidden and cell state (hiddenSize values each).
    public private(set) var hidden: [[Float]]
    public private(set) var cell: [[Float]]
    /// Observations consumed since the state was created (including the initial history).
    public private(set) var observed: Int
    /// What scaling noticed about the series.
    public private(set) var diagnostics: [String]
    /// Values of the starting history replaced as outliers near its end (positions: indices into it).
    public private(set) var originOutliers: [OriginOutlier] = []

    /// A zero state (no observations yet) for a series with the given scaling.
    public init(model: LSTMModel, scaling: LSTMSeriesScaling) {
        self.model = model
        self.scaling = scaling
        diagnostics = []
        let zero = [Float](repeating: 0, count: model.shape.hiddenSize)
        hidden = Array(repeating: zero, count: model.shape.layers)
        cell = hidden
        observed = 0
    }

    /// Runs the network over the last `window` points of `history` (zero-padded in front when
    /// shorter, exactly as the batch forecast reads it), whose regressor rows are `features[t]`
    /// (raw values in the model's column order; empty for a model without features). Outliers
    /// near the end of `history` are replaced first (`OriginScreen.clean` with `season`), as the
    /// batch forecast does; they are listed in `originOutliers` (indices into `history`).
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
        let w = model.window, n = history.count
        // Padding rows are "missing value, all features off", as in training windows.
        let pad = max(0, w - n)
        let values = [Double](repeating: .nan, count: pad) + history[max(0, n - w)...]
        let rows = f > 0 ? [[Double]](repeating: [Double](repeating: 0, count: f), count: pad) + features[max(0, n - w)...] : []
        try advance(observations: values, features: rows)
        observed = n
        diagnostics = notes
        originOutliers = outliers
    }

    /// Feeds new observations (NaN = missing) with their regressor rows through the network.
    public mutating func advance(observations: [Double], features: [[Double]] = []) throws(ForecastError) {
        let k = observations.count, f = model.shape.featureCount
        guard k > 0 else { return }
        guard features.count == (f > 0 ? k : 0) || (f == 0 && features.allSatisfy(\.isEmpty)),
              features.allSatisfy({ $0.count == f })
        else {
            throw ForecastError(.regressorMismatch, "\(scaling.seriesID): expected \(k) feature rows of \(f) values")
        }
        let shape = model.shape, h = shape.hiddenSize
        let ws = LSTMWorkspace<Float>(shape: shape, batch: 1, window: k)
        ws.initialState = (0..<shape.layers).map { (hidden[$0], cell[$0]) }
        ws.seriesIndex[0] = scaling.embeddingIndex ?? -1
        LSTMDataset.fillInputs(ws.inputs.pointer, row: 0, batch: 1, width: shape.inputSize, window: k,
                               values: observations, regressors: features.flatMap { $0 }, features: model.features,
                               scaling: scaling, end: k)
        do {
            try model.parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                guard let base = p.baseAddress else { return }
                try ws.forwardLayers(base)
            }
        } catch {
            throw ForecastError(.numericalFailure, "LSTM state update: \(error)")
        }
        for l in 0..<shape.layers {
            let last = (k - 1) * h
            hidden[l] = Array(UnsafeBufferPointer(start: ws.hidden[l].pointer + last, count: h))
            cell[l] = Array(UnsafeBufferPointer(start: ws.cells[l].pointer + last, count: h))
        }
        observed += k
    }

    /// The forecast for the `horizon` steps after the last observation, given their regressor rows.
    public func forecast(futureFeatures: [[Double]] = [], levels: [Double]) throws(ForecastError) -> (mean: [Double], quantiles: [[Double]]) {
        let shape = model.shape, f = shape.featureCount, h = shape.hiddenSize
        guard futureFeatures.count == (f > 0 ? shape.horizon : futureFeatures.count), futureFeatures.allSatisfy({ $0.count == f }),
              f > 0 || futureFeatures.allSatisfy(\.isEmpty)
        else {
            throw ForecastError(.regressorMismatch, "\(scaling.seriesID): expected \(shape.horizon) future feature rows of \(f) values")
        }
        var input = [Float](repeating: 0, count: shape.headInputSize)
        for j in 0..<h { input[j] = hidden[shape.layers - 1][j] }
        for (r, row) in futureFeatures.enumerated() where f > 0 {
            for c in 0..<f { input[h + r * f + c] = model.features.value(row[c], column: c) }
        }
        var raw = [Float](repeating: 0, count: shape.headOutputSize), quantiles = raw
        do {
            try model.parameters.withUnsafeBufferPointer { (p) throws(LinearAlgebraError) in
                guard let base = p.baseAddress else { return }
                try input.withUnsafeBufferPointer { (x) throws(LinearAlgebraError) in
                    guard let xb = x.baseAddress else { return }
                    try raw.withUnsafeMutableBufferPointer { (r) throws(LinearAlgebraError) in
                        try quantiles.withUnsafeMutableBufferPointer { (q) throws(LinearAlgebraError) in
                            guard let rb = r.baseAddress, let qb = q.baseAddress else { return }
                            try LSTMWorkspace<Float>.head(base, layout: shape.layout, shape: shape, input: xb, rows: 1,
                                                          raw: rb, quantiles: qb)
                        }
                    }
                }
            }
        } catch {
            throw ForecastError(.numericalFailure, "LSTM forecast from state: \(error)")
        }
        return try quantiles.withUnsafeBufferPointer { (q) throws(ForecastError) in
            guard let base = q.baseAddress else { return ([], []) }
            return try model.distributionRows(base, scale: scaling.scale, levels: levels)
        }
    }
}
