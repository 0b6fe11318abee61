import Calibration
import Forecasting
import TimeSeries
import Foundation
import ModelRegistry

/// The decoding side of what `psm train` publishes (Pipeline's `ModelCatalog.fit` and
/// `GroupTrainer`), re-implemented here because the actuator may not import the batch-only
/// Pipeline. The formats are pinned by ScoringTests, which publish through the Pipeline's own code.
enum ModelArtifactFormat {
    static let seasonalNaive = "seasonal-naive"
    static let arima = "arima"
    static let lstm = "lstm"
    static let ets = "ets"
    static let theta = "theta"
    static let combination = "combination"

    static let seasonalNaiveFile = "seasonal-naive.json"
    static let arimaFile = "arima.json"
    static let lstmFile = "lstm.bin"
    /// Series id → Codable `ETSModel` / `ThetaModel` (Pipeline's `ModelCatalog.fitStateModels`).
    static let etsFile = "ets.json"
    static let thetaFile = "theta.json"

    /// The models whose per-series state comes from training (they continue from the end of
    /// their training data, not from a replayed history).
    static let fittedState = [arima, ets, theta]

    /// `seasonal-naive.json`.
    struct SeasonalNaiveFile: Decodable {
        var seasons: [String: Int]
        var horizon: Int
        var levels: [Double]
        /// The last two seasons of each series (Pipeline's `SeriesTail`), absent in older files.
        var tails: [String: Tail]?
    }

    struct Tail: Decodable {
        var start: Int64
        var values: [Double?]
    }

    /// The manifest's `hyper_parameters` section (the fields scoring reads).
    struct HyperParameters: Decodable {
        var components: [String]?
        var levels: [Double]?
        var horizon: Int?
        /// A combination's rule (absent: `mean`) and the weighted rule's weight per component.
        var rule: CombinationRule?
        var weights: [String: Double]?
        var seasons: [String: Int]?
        /// The support forecasts are clipped into (absent in models trained before it: none).
        var bounds: SupportBounds?
    }

    /// Decodes a manifest section (a `JSONValue`) as `T`; non-finite numbers were written as
    /// the strings "nan", "inf", "-inf".
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let data = try JSONEncoder().encode(value)
        return try decode(type, data: data)
    }

    static func decode<T: Decodable>(_ type: T.Type, data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }

    /// The component models of a manifest kind: itself, or a combination's listed components.
    static func components(kind: String, hyper: HyperParameters) -> [String] {
        if kind == combination { return hyper.components ?? [] }
        return [kind]
    }
}
