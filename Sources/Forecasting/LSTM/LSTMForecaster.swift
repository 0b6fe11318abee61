import Features
import TimeSeries

/// The global LSTM forecaster (`--model lstm`): trains one network on all the series it is
/// given (`scope` `global`, the default) or one per VM group (`group`), and forecasts every
/// series with it, quantiles for all horizon steps at once.
///
/// Quantiles are trained at the requested levels plus the median (the point forecast). Series
/// with nothing observed fail with `insufficientData`; when no series yields a training window
/// the request falls back to seasonal naive with a diagnostic.
public struct LSTMForecaster: Forecaster {
    public let name = "lstm"
    public var configuration: LSTMConfiguration

    public init(configuration: LSTMConfiguration = LSTMConfiguration()) {
        self.configuration = configuration
    }

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        if configuration.scope == .global { return try forecastGroup(inputs, horizon: horizon, levels: levels) }
        // One model per VM group; series without a group are pooled into one model, since a
        // global model needs many series (training one network per series would defeat it).
        var order: [String?] = [], members: [String?: [Int]] = [:]
        for (i, input) in inputs.enumerated() {
            if members[input.series.group] == nil { order.append(input.series.group) }
            members[input.series.group, default: []].append(i)
        }
        var out = [SeriesForecast?](repeating: nil, count: inputs.count)
        for group in order {
            let indices = members[group] ?? []
            let forecasts = try forecastGroup(indices.map { inputs[$0] }, horizon: horizon, levels: levels)
            for (k, i) in indices.enumerated() { out[i] = forecasts[k] }
        }
        return out.compactMap { $0 }
    }

    /// Trains one model on `inputs` (all of them, or one group) and forecasts each of them.
    func forecastGroup(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        guard !inputs.isEmpty else { return [] }
        guard let (model, notes) = try fit(inputs, horizon: horizon, levels: levels) else {
            let fallback = try SeasonalNaive().forecast(inputs, horizon: horizon, levels: levels)
            return fallback.map { f in
                var f = f
                f.diagnostics.insert("lstm: no series is long enough to train on (needs more than \(horizon) points); "
                                     + "used \(f.model)", at: 0)
                return f
            }
        }
        if model.training.bestEpoch == 0 {
            let fallback = try SeasonalNaive().forecast(inputs, horizon: horizon, levels: levels)
            return fallback.map { f in
                var f = f
                f.diagnostics.insert("lstm: \(model.training.stopReason); used \(f.model)", at: 0)
                return f
            }
        }
        let summary = "lstm: trained on \(model.series.count) series, \(model.training.epochs) epochs "
            + "(kept epoch \(model.training.bestEpoch), \(model.training.stopReason)), "
            + "\(model.members.count) seed\(model.members.count == 1 ? "" : "s")" + model.training.coverageNote
        return try model.forecast(inputs, levels: levels).map { f in
            var f = f
            f.diagnostics = (notes[f.seriesID] ?? []) + f.diagnostics + [summary]
            return f
        }
    }

    /// Trains one model on the inputs; nil when no series has a training window. Returns the
    /// diagnostics per series id (scaling and masking notes).
    public func fit(_ inputs: [ForecastInput], horizon: Int, levels: [Double])
        throws(ForecastError) -> (model: LSTMModel, diagnostics: [String: [String]])? {
        if let problem = configuration.problem { throw ForecastError(.invalidRequest, "lstm: \(problem)") }
        let names = inputs.first?.regressors?.names ?? []
        for input in inputs where (input.regressors?.names ?? []) != names {
            throw ForecastError(.regressorMismatch,
                                "\(input.series.id): regressors \(input.regressors?.names ?? []) differ from \(names); "
                                + "a global model needs the same columns for every series")
        }
        var trainedLevels = levels
        if !trainedLevels.contains(where: { abs($0 - 0.5) < 1e-12 }) { trainedLevels = (levels + [0.5]).sorted() }

        var notes: [String: [String]] = [:]
        var items: [LSTMDataset.Item] = []
        var scalings: [LSTMSeriesScaling] = []
        let matrices = inputs.compactMap(\.regressors)
        let (featureScaling, nonFiniteFeatures) = LSTMFeatureScaling.fit(matrices)
        for input in inputs {
            let id = input.series.id
            guard let (fitted, diagnostics) = LSTMSeriesScaling.fit(input.series.values, seriesID: id) else {
                notes[id, default: []].append("no observed values: not used for training")
                continue
            }
            var scaling = fitted
            if configuration.embeddingSize > 0 { scaling.embeddingIndex = scalings.count }
            notes[id, default: []] += diagnostics
            let missing = input.series.missingCount
            if missing > 0 { notes[id, default: []].append("\(missing) missing values masked") }
            scalings.append(scaling)
            items.append(LSTMDataset.Item(values: input.series.values, regressors: input.regressors?.values ?? [],
                                          rows: input.regressors?.rows ?? 0, scaling: scaling,
                                          lower: 0, upper: -1, validationOrigin: nil))
        }
        if nonFiniteFeatures > 0, let first = inputs.first?.series.id {
            notes[first, default: []].append("\(nonFiniteFeatures) non-finite regressor values set to 0")
        }
        // The group's season: the most common one its inputs declare (1 = none).
        var seasonVotes: [Int: Int] = [:]
        for input in inputs { seasonVotes[input.season ?? 1, default: 0] += 1 }
        let season = seasonVotes.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 1
        let normalisation = LSTMNormalisation(season: season, baseline: configuration.baseline)
        let data = LSTMDataset(items: items, window: configuration.window, horizon: horizon,
                               features: featureScaling, normalisation: normalisation, validation: configuration.validation)
        guard data.trainingWindowCount > 0 else { return nil }

        let shape = LSTMShape(hiddenSize: configuration.hiddenSize, layers: configuration.layers, horizon: horizon,
                              quantileCount: trainedLevels.count, featureCount: featureScaling.names.count,
                              embeddingSize: configuration.embeddingSize, seriesCount: scalings.count)
        if let problem = shape.problem() { throw ForecastError(.invalidRequest, "lstm: \(problem)") }
        // One network per seed; a member that diverged before its first epoch is dropped.
        var members: [[Float]] = [], report = LSTMTrainingReport(), seconds = 0.0, windows = 0.0
        for k in 0..<configuration.seeds {
            var c = configuration
            c.seed = configuration.seed &+ UInt64(k)
            var parameters = LSTMTrainer.initialParameters(shape, seed: c.seed)
            let r = try LSTMTrainer.train(data, shape: shape, levels: trainedLevels.map { Float($0) },
                                          configuration: c, parameters: &parameters)
            if r.diverged, configuration.reportsProgress { LSTMTrainer.printError("lstm: seed \(c.seed): \(r.stopReason)") }
            seconds += r.seconds
            windows += r.windowsPerSecond * r.seconds
            if k == 0 || report.bestEpoch == 0 { report = r }
            guard r.bestEpoch > 0 else { continue }
            members.append(parameters)
            report.memberEpochs.append(r.bestEpoch)
        }
        report.seconds = seconds
        report.windowsPerSecond = windows / max(seconds, 1e-9)
        if members.isEmpty { members = [LSTMTrainer.initialParameters(shape, seed: configuration.seed)] }
        if report.bestEpoch > 0 {
            let validation = Array(data.validationItems.prefix(1024))
            if !validation.isEmpty {
                let ws = LSTMWorkspace<Float>(shape: shape, batch: configuration.batchSize, window: configuration.window)
                let heldOut = try LSTMHeldOut(data, items: validation, workspace: ws, members: members)
                let median = trainedLevels.firstIndex { abs($0 - 0.5) < 1e-12 }
                var weights: [Int: Double] = [:]
                if configuration.blend != .off, let median {
                    let chosen = heldOut.blendWeights(median: median)
                    report.blend = chosen.pooled
                    if configuration.blend == .series {
                        weights = chosen.items
                        for (item, w) in weights { scalings[item].blend = w }
                    } else {
                        weights = chosen.items.mapValues { _ in chosen.pooled }
                    }
                }
                report.validationCoverage = heldOut.coverage(median: median, weights: weights)
                report.validationLevels = trainedLevels
            }
        }
        let model = LSTMModel(shape: shape, configuration: configuration, levels: trainedLevels, features: featureScaling,
                              normalisation: normalisation, series: scalings, members: members, training: report)
        return (model, notes)
    }
}
