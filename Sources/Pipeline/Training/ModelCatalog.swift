import Forecasting
import Foundation
import TimeSeries

/// A model fitted on a group's full history, as files for the registry.
public struct FittedModel: Sendable {
    /// File name → bytes (LSTM: its little-endian parameter file; seasonal naive: a small JSON).
    public var files: [String: Data]
    /// The hyper-parameters, for the manifest.
    public var hyperParameters: [String: String]
    public var diagnostics: [String]
}

/// The engines a training job can use, built from its configuration.
public struct ModelCatalog: Sendable {
    public var lstm: LSTMConfiguration
    public var arima: AutoARIMAOptions
    package var ets: AutoETSOptions
    package var theta: ThetaOptions
    /// The network this group shares with the other groups of the run (`scope = "global"`);
    /// nil: the LSTM is trained on the group's own series.
    var globalLSTM: GlobalLSTM?

    public init(lstm: LSTMConfiguration, arima: AutoARIMAOptions = AutoARIMAOptions(), ets: AutoETSOptions = AutoETSOptions(),
                theta: ThetaOptions = ThetaOptions()) {
        self.lstm = lstm
        self.arima = arima
        self.ets = ets
        self.theta = theta
    }

    /// This catalog with one LSTM network shared by `groups` (their series pooled, `GlobalLSTM`),
    /// as `psm train` sets up with `[models.lstm] scope = "global"`: `fit("lstm", …)` of any of
    /// their series publishes the same weights, and the rolling backtest reads the network trained
    /// on every pooled series before each fold's cut-off.
    package func sharingLSTM(across groups: [TrainingGroup]) -> ModelCatalog {
        var c = lstm
        c.reportsProgress = false
        c.threads = 1
        var out = self
        out.globalLSTM = GlobalLSTM(configuration: c, groups: groups)
        return out
    }

    /// The forecaster for a candidate name, or nil for an unknown name.
    package func forecaster(_ name: String) -> (any Forecaster)? {
        switch name {
        case "seasonal-naive": return SeasonalNaive()
        case "lstm":
            var c = lstm
            c.reportsProgress = false
            c.threads = 1
            return LSTMForecaster(configuration: c)
        case "arima":
            // One thread: the job already runs groups in parallel.
            return ARIMAForecaster(options: arima, jobs: 1)
        case "ets": return ETSForecaster(options: ets, jobs: 1)
        case "theta": return ThetaForecaster(options: theta, jobs: 1)
        default: return nil
        }
    }

    /// Fits `name` on the whole history of `inputs` and serialises it.
    public func fit(_ name: String, inputs: [ForecastInput], horizon: Int, levels: [Double]) throws -> FittedModel {
        switch name {
        case "seasonal-naive":
            // Nothing to estimate: the file records what scoring needs (season per series, levels).
            let seasons = Dictionary(inputs.map { ($0.series.id, $0.season ?? 1) }, uniquingKeysWith: { a, _ in a })
            let tails = Dictionary(inputs.map { ($0.series.id, SeriesTail($0.series, season: $0.season ?? 1)) },
                                   uniquingKeysWith: { a, _ in a })
            let file = SeasonalNaiveFile(seasons: seasons, horizon: horizon, levels: levels, tails: tails)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return FittedModel(files: ["seasonal-naive.json": try encoder.encode(file)],
                               hyperParameters: ["horizon": "\(horizon)"], diagnostics: [])
        case "lstm":
            var c = lstm
            c.reportsProgress = false
            c.threads = 1
            let fitted: (model: LSTMModel, diagnostics: [String: [String]])?
            if let globalLSTM {
                // The shared network, with this group's series records (and embedding rows) only.
                let ids = Set(inputs.map(\.series.id))
                fitted = try globalLSTM.model(before: nil, horizon: horizon, levels: levels).map { shared in
                    (model: shared.model.restricted(to: ids), diagnostics: shared.diagnostics.filter { ids.contains($0.key) })
                }
            } else {
                fitted = try LSTMForecaster(configuration: c).fit(inputs, horizon: horizon, levels: levels)
            }
            guard let (model, notes) = fitted else {
                throw PipelineError("lstm: no series is long enough for a training window of \(c.window) + \(horizon) steps")
            }
            let bytes = try model.serialized()
            var hyper = [
                "hidden": "\(c.hiddenSize)", "layers": "\(c.layers)", "window": "\(c.window)", "epochs": "\(c.epochs)",
                "batches": "\(c.batchesPerEpoch)", "batch_size": "\(c.batchSize)", "learning_rate": "\(c.learningRate)",
                "embedding": "\(c.embeddingSize)", "seed": "\(c.seed)", "horizon": "\(horizon)",
                "seeds": "\(model.members.count)", "baseline": c.baseline.rawValue,
                "season": "\(model.normalisation.season)",
                "best_epoch": "\(model.training.bestEpoch)", "stop_reason": model.training.stopReason,
                "validation_coverage": model.training.coverageNote.isEmpty ? "none"
                    : String(model.training.coverageNote.dropFirst(", held-out coverage ".count)),
                "scope": globalLSTM == nil ? LSTMScope.group.rawValue : LSTMScope.global.rawValue,
            ]
            if let globalLSTM {
                hyper["pooled_groups"] = "\(globalLSTM.groups.count)"
                hyper["pooled_series"] = "\(globalLSTM.inputs.count)"
                hyper["weights_fnv1a64"] = LSTMModel.weightsChecksum(model.members)
            }
            return FittedModel(files: ["lstm.bin": Data(bytes)], hyperParameters: hyper,
                               diagnostics: (globalLSTM?.notes ?? [])
                                   + notes.sorted { $0.key < $1.key }.flatMap { k, v in v.map { "\(k): \($0)" } })
        case "arima":
            return try fitARIMA(inputs)
        case "ets":
            return try fitStateModels(inputs, kind: "ets", file: "ets.json") { input throws(ForecastError) in
                let model = try AutoETS.fit(input.series, season: input.season, options: ets)
                return (model, model.name)
            }
        case "theta":
            return try fitStateModels(inputs, kind: "theta", file: "theta.json") { input throws(ForecastError) in
                let model = try ThetaModel.fit(input.series, season: input.season, options: theta)
                return (model, model.name)
            }
        default:
            throw PipelineError("unknown model \"\(name)\"")
        }
    }
}

extension ModelCatalog {
    /// One automatic ARIMA per series, with the forecaster's fallback to ARIMA(0,1,1); all
    /// models in `arima.json` keyed by series id (each one's Codable form, which `append` and
    /// `forecast` continue from). A series neither can fit is left out with a diagnostic; when
    /// none can, the fit fails.
    func fitARIMA(_ inputs: [ForecastInput]) throws -> FittedModel {
        var models: [String: ARIMAModel] = [:], notes: [String] = []
        for input in inputs {
            do {
                models[input.series.id] = try AutoARIMA.fitGuardingOrigin(input.series, season: input.season,
                                                            regressors: input.regressors, options: arima)
            } catch {
                do {
                    models[input.series.id] = try ARIMAModel.fit(
                        input.series, specification: ARIMASpecification(order: ARIMAOrder(p: 0, d: 1, q: 1)))
                    notes.append("\(input.series.id): automatic ARIMA failed (\(error.message)): ARIMA(0,1,1)")
                } catch {
                    notes.append("\(input.series.id): no ARIMA could be fitted (\(error.message)): left out")
                }
            }
        }
        guard !models.isEmpty else { throw PipelineError("arima: no series could be fitted") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var parameters = ["series": "\(models.count)"]
        for (id, model) in models { parameters["order." + id] = model.name }
        return FittedModel(files: ["arima.json": try encoder.encode(models)], hyperParameters: parameters, diagnostics: notes)
    }
}

extension ModelCatalog {
    /// One model per series (ETS, Theta), all in `file` keyed by series id, each one's Codable
    /// form (which `append` and `forecast` continue from, as ARIMA's `arima.json`). A series the
    /// engine cannot fit is left out with a diagnostic; when none can, the fit fails.
    func fitStateModels<M: Encodable>(_ inputs: [ForecastInput], kind: String, file: String,
                                      fit: (ForecastInput) throws(ForecastError) -> (M, String)) throws -> FittedModel {
        var models: [String: M] = [:], notes: [String] = [], parameters: [String: String] = [:]
        for input in inputs {
            do throws(ForecastError) {
                let (model, name) = try fit(input)
                models[input.series.id] = model
                parameters["model." + input.series.id] = name
            } catch {
                notes.append("\(input.series.id): no \(kind) model could be fitted (\(error.message)): left out")
            }
        }
        guard !models.isEmpty else { throw PipelineError("\(kind): no series could be fitted") }
        parameters["series"] = "\(models.count)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return FittedModel(files: [file: try encoder.encode(models)], hyperParameters: parameters, diagnostics: notes)
    }
}

/// The seasonal-naive "model file": everything its forecasts depend on besides the data.
struct SeasonalNaiveFile: Codable {
    var seasons: [String: Int]
    var horizon: Int
    var levels: [Double]
    /// The end of each series (grid position of the first value, values; NaN as null): the
    /// actuator's scorer replays it, so it forecasts from the moment it loads the model instead of
    /// after a season of live data, with the spread estimated as if it had seen the training data.
    /// Absent in files written before it existed.
    var tails: [String: SeriesTail]?
}

/// The end of a training series: where it starts on the grid, and its values.
struct SeriesTail: Codable {
    var start: Int64
    var values: [Double?]

    /// The last `20 × season` points of `series` (at least 2, at most 20,000): the whole
    /// series for the usual training windows, and a bounded file for long ones.
    init(_ series: Series, season: Int) {
        let n = min(series.values.count, min(max(20 * season, 2), 20_000))
        let first = series.values.count - n
        start = series.grid.start + Int64(first) * series.grid.step
        values = series.values[first...].map { $0.isFinite ? $0 : nil }
    }
}

/// A pipeline failure with a message for the report.
package struct PipelineError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
