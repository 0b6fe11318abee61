import Features
import LinearAlgebra
import TimeSeries

/// A trained LSTM forecasting network with everything needed to score: shape, quantile levels,
/// feature schema and scaling, how windows are normalised, the series seen in training and the
/// weights of every member (one network per training seed, averaged). Needs no training code.
public struct LSTMModel: Sendable {
    /// The version of the model file format and of the meaning of its fields. Version 2 scales
    /// each window by its own level and predicts the residual over a baseline, and may hold
    /// several members; version 1 files (one series-wide scale) are refused with a clear error.
    public static let formatVersion = 2

    public var shape: LSTMShape
    public var configuration: LSTMConfiguration
    /// The quantile levels the head produces, strictly increasing.
    public var levels: [Double]
    public var features: LSTMFeatureScaling
    /// How each window is scaled and what the network's output is added to.
    public var normalisation: LSTMNormalisation
    /// The training series (mean absolute values for reports, embedding rows).
    public var series: [LSTMSeriesScaling]
    /// Flat parameters in `shape`'s layout, one vector per member (at least one).
    public var members: [[Float]]
    public var training: LSTMTrainingReport

    /// The first member's parameters.
    public var parameters: [Float] { members[0] }
    public var window: Int { configuration.window }
    public var horizon: Int { shape.horizon }

    public init(shape: LSTMShape, configuration: LSTMConfiguration, levels: [Double], features: LSTMFeatureScaling,
                normalisation: LSTMNormalisation = LSTMNormalisation(season: 1, baseline: .seasonalNaive),
                series: [LSTMSeriesScaling], members: [[Float]], training: LSTMTrainingReport = LSTMTrainingReport()) {
        precondition(!members.isEmpty, "an LSTM model needs at least one member")
        self.shape = shape
        self.configuration = configuration
        self.levels = levels
        self.features = features
        self.normalisation = normalisation
        self.series = series
        self.members = members
        self.training = training
    }

    /// A model of one member.
    public init(shape: LSTMShape, configuration: LSTMConfiguration, levels: [Double], features: LSTMFeatureScaling,
                normalisation: LSTMNormalisation = LSTMNormalisation(season: 1, baseline: .seasonalNaive),
                series: [LSTMSeriesScaling], parameters: [Float], training: LSTMTrainingReport = LSTMTrainingReport()) {
        self.init(shape: shape, configuration: configuration, levels: levels, features: features,
                  normalisation: normalisation, series: series, members: [parameters], training: training)
    }

    /// The same network (every member's weights, the embedding table whole) with the series
    /// records of `seriesIDs` only: what one group's model file holds when a network is shared
    /// across groups, each record keeping its embedding row.
    package func restricted(to seriesIDs: Set<String>) -> LSTMModel {
        var out = self
        out.series = series.filter { seriesIDs.contains($0.seriesID) }
        return out
    }

    /// Past values scoring keeps: the window, or one season when that is longer.
    public var historyLength: Int { normalisation.history(window: window) }

    /// The level and baseline of the window ending at `end` of `values`.
    func windowScale(_ values: [Double], end: Int) -> LSTMWindowScale {
        LSTMWindowScale(values: values, end: end, window: window, horizon: horizon, normalisation: normalisation)
    }

    /// The stored record of a training series, or one fitted on `values` for a new series.
    func scaling(for seriesID: String, values: [Double]) -> (LSTMSeriesScaling, [String])? {
        if let known = series.first(where: { $0.seriesID == seriesID }) { return (known, []) }
        guard let fitted = LSTMSeriesScaling.fit(values, seriesID: seriesID) else { return nil }
        return (fitted.scaling, fitted.diagnostics + ["series not seen in training: no embedding"])
    }

    /// The blend weight a series is forecast with: its own (chosen on its held-out window), else
    /// the model's pooled one, else 1 (the network's forecast as is).
    package func blend(for scaling: LSTMSeriesScaling) -> Double { scaling.blend ?? training.blend ?? 1 }

    /// Quantiles (scaled residuals, ascending levels `self.levels`) turned into the requested levels
    /// in raw units: exact where a level was trained, linear between trained levels otherwise.
    /// With `blend` w < 1 every quantile is first shifted by −(1 − w) × the median (`LSTMHeldOut`).
    func distributionRows(_ scaled: UnsafePointer<Float>, scale: LSTMWindowScale, levels wanted: [Double], blend: Double = 1)
        throws(ForecastError) -> (mean: [Double], quantiles: [[Double]]) {
        let q = shape.quantileCount
        let median = levels.firstIndex { abs($0 - 0.5) < 1e-12 }
        guard let lo = levels.first, let hi = levels.last, wanted.allSatisfy({ $0 >= lo - 1e-12 && $0 <= hi + 1e-12 }) else {
            throw ForecastError(.invalidRequest, "levels \(wanted) lie outside the model's trained range \(levels)")
        }
        func at(_ level: Double, _ row: [Double], _ h: Int) -> Double {
            if let k = levels.firstIndex(where: { abs($0 - level) < 1e-12 }) { return scale.restore(row[k], step: h) }
            let upper = levels.firstIndex(where: { $0 > level }) ?? (q - 1)
            let lower = max(upper - 1, 0)
            let w = (level - levels[lower]) / (levels[upper] - levels[lower])
            return scale.restore(row[lower] * (1 - w) + row[upper] * w, step: h)
        }
        var mean: [Double] = [], quantiles: [[Double]] = []
        for h in 0..<shape.horizon {
            let raw = scaled + h * q
            let shift = blend < 1 ? median.map { (1 - blend) * Double(raw[$0]) } ?? 0 : 0
            let row = (0..<q).map { Double(raw[$0]) - shift }
            quantiles.append(wanted.map { at($0, row, h) })
            // The point forecast is the median when it was trained, else the middle of the range.
            mean.append(lo <= 0.5 && hi >= 0.5 ? at(0.5, row, h) : scale.restore((row[0] + row[q - 1]) / 2, step: h))
        }
        return (mean, quantiles)
    }

    /// Forecasts each input `horizon` steps past its end (its last `window` points are read).
    ///
    /// `regressors` must hold `history + horizon` rows in the model's feature order.
    public func forecast(_ inputs: [ForecastInput], levels wanted: [Double]) throws(ForecastError) -> [SeriesForecast] {
        var out: [SeriesForecast] = []
        let batch = max(1, min(inputs.count, 128))
        let ws = LSTMWorkspace<Float>(shape: shape, batch: batch, window: window)
        setBLASThreadCount(configuration.threads)
        var start = 0
        while start < inputs.count {
            let chunk = Array(inputs[start..<min(start + batch, inputs.count)])
            var scalings: [(LSTMSeriesScaling, [String])?] = [], scales: [LSTMWindowScale?] = []
            // The input window with outliers near the origin replaced (OriginScreen.clean).
            let cleaned = chunk.map { OriginScreen.clean($0.series.values, season: $0.season) }
            for (b, input) in chunk.enumerated() {
                let s = scaling(for: input.series.id, values: cleaned[b].values)
                scalings.append(s)
                guard let (scaling, _) = s else { scales.append(nil); continue }
                let regressors = try regressorValues(input)
                let scale = windowScale(cleaned[b].values, end: input.series.count)
                scales.append(scale)
                LSTMDataset.fillInputs(ws.inputs.pointer, row: b, batch: batch, width: shape.inputSize, window: window,
                                       values: cleaned[b].values, regressors: regressors, features: features,
                                       scale: scale, end: input.series.count)
                LSTMDataset.fillFuture(ws.future.pointer + b * horizon * shape.featureCount, regressors: regressors,
                                       features: features, rows: input.series.count + horizon,
                                       origin: input.series.count, horizon: horizon)
                ws.seriesIndex[b] = scaling.embeddingIndex ?? -1
            }
            try ws.forwardEnsemble(members)
            for (b, input) in chunk.enumerated() {
                let id = input.series.id
                guard let (scaling, notes) = scalings[b], let scale = scales[b] else {
                    out.append(SeriesForecast(seriesID: id, result: .failure(ForecastError(.insufficientData, "no observed values")),
                                              model: "lstm"))
                    continue
                }
                let rows = try distributionRows(ws.quantiles.pointer + b * shape.headOutputSize, scale: scale,
                                                levels: wanted, blend: blend(for: scaling))
                let result: Result<ForecastDistribution, ForecastError>
                do {
                    result = .success(try ForecastDistribution(grid: input.series.grid.future(horizon), levels: wanted,
                                                               mean: rows.mean, quantiles: rows.quantiles))
                } catch {
                    result = .failure(ForecastError(.numericalFailure, error.description))
                }
                var diagnostics = notes
                if input.series.count < window {
                    diagnostics.append("history (\(input.series.count)) shorter than the window (\(window)): zero-padded")
                }
                let outliers = OriginScreen.onGrid(cleaned[b].outliers, input.series.grid)
                diagnostics += OriginScreen.note(outliers, axis: input.series.grid.axis)
                out.append(SeriesForecast(seriesID: id, result: result, model: description, diagnostics: diagnostics,
                                          originOutliers: outliers.map(\.position)))
            }
            start += batch
        }
        return out
    }

    /// The regressor values of an input in the model's column order; throws when they differ.
    func regressorValues(_ input: ForecastInput) throws(ForecastError) -> [Double] {
        guard let x = input.regressors else {
            guard features.names.isEmpty else {
                throw ForecastError(.regressorMismatch, "\(input.series.id): the model needs regressors \(features.names)")
            }
            return []
        }
        guard x.names == features.names else {
            throw ForecastError(.regressorMismatch,
                                "\(input.series.id): regressors \(x.names) differ from the model's \(features.names)")
        }
        return x.values
    }

    /// A short description such as `lstm[2×64, window 168]`.
    public var description: String {
        let seeds = members.count > 1 ? ", \(members.count) seeds" : ""
        return "lstm[\(shape.layers)×\(shape.hiddenSize), window \(window)\(seeds)]"
    }
}
