import Forecasting
import Foundation

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

    public init(lstm: LSTMConfiguration) {
        self.lstm = lstm
    }

    /// The forecaster for a candidate name, or nil for an unknown name.
    public func forecaster(_ name: String) -> (any Forecaster)? {
        switch name {
        case "seasonal-naive": return SeasonalNaive()
        case "lstm":
            var c = lstm
            c.reportsProgress = false
            c.threads = 1
            return LSTMForecaster(configuration: c)
        default: return nil
        }
    }

    /// Fits `name` on the whole history of `inputs` and serialises it.
    public func fit(_ name: String, inputs: [ForecastInput], horizon: Int, levels: [Double]) throws -> FittedModel {
        switch name {
        case "seasonal-naive":
            // Nothing to estimate: the file records what scoring needs (season per series, levels).
            let seasons = Dictionary(inputs.map { ($0.series.id, $0.season ?? 1) }, uniquingKeysWith: { a, _ in a })
            let file = SeasonalNaiveFile(seasons: seasons, horizon: horizon, levels: levels)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return FittedModel(files: ["seasonal-naive.json": try encoder.encode(file)],
                               hyperParameters: ["horizon": "\(horizon)"], diagnostics: [])
        case "lstm":
            var c = lstm
            c.reportsProgress = false
            c.threads = 1
            guard let (model, notes) = try LSTMForecaster(configuration: c).fit(inputs, horizon: horizon, levels: levels) else {
                throw PipelineError("lstm: no series is long enough for a training window of \(c.window) + \(horizon) steps")
            }
            let bytes = try model.serialized()
            return FittedModel(files: ["lstm.bin": Data(bytes)], hyperParameters: [
                "hidden": "\(c.hiddenSize)", "layers": "\(c.layers)", "window": "\(c.window)", "epochs": "\(c.epochs)",
                "batches": "\(c.batchesPerEpoch)", "batch_size": "\(c.batchSize)", "learning_rate": "\(c.learningRate)",
                "embedding": "\(c.embeddingSize)", "seed": "\(c.seed)", "horizon": "\(horizon)",
                "best_epoch": "\(model.training.bestEpoch)", "stop_reason": model.training.stopReason,
            ], diagnostics: notes.sorted { $0.key < $1.key }.flatMap { k, v in v.map { "\(k): \($0)" } })
        default:
            throw PipelineError("unknown model \"\(name)\"")
        }
    }
}

/// The seasonal-naive "model file": everything its forecasts depend on besides the data.
struct SeasonalNaiveFile: Codable {
    var seasons: [String: Int]
    var horizon: Int
    var levels: [Double]
}

/// A pipeline failure with a message for the report.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
