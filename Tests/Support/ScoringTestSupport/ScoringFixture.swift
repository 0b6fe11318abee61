import Features
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import TimeSeries

/// Tiny models fitted and serialised by the training pipeline's own code (`Pipeline.ModelCatalog.fit`)
/// and published into a temporary registry with the manifest sections `GroupTrainer` writes.
public enum ScoringFixture {
    public static let levels = [0.1, 0.5, 0.9]
    public static let grid = TimeGrid(axis: .time, start: 1_700_000_000, step: 3600, count: 0)

    /// A daily-cycle series (season 24) with deterministic noise; `missing` positions are NaN.
    public static func values(count: Int, level: Double = 10, phase: Int = 0, missing: Set<Int> = []) -> [Double] {
        (0..<count).map { t in
            if missing.contains(t) { return .nan }
            let u = t + phase
            return level + 3 * sin(2 * Double.pi * Double(u % 24) / 24) + Double((u * 7919) % 13) / 13 + 0.01 * Double(t)
        }
    }

    public static func input(_ id: String, _ values: [Double], season: Int = 24) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: grid.axis, start: grid.start, step: grid.step, count: values.count),
                                     values: values), season: season)
    }

    public static func temporaryRegistry() throws -> (ModelRegistry, URL) {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "psm-scoring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return (ModelRegistry(root: url.appendingPathComponent("Models")), url)
    }

    public static func tinyLSTM() -> LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 4, layers: 1, window: 12, epochs: 1, batchSize: 4, seed: 7)
        c.batchesPerEpoch = 2
        c.validation = false
        return c
    }

    /// Fits `components` on `inputs` with the pipeline's code and publishes them as `kind`
    /// (a component name, or `combination`), with `calibration` as the manifest section.
    @discardableResult
    public static func publish(_ registry: ModelRegistry, group: String, kind: String, components: [String],
                        inputs: [ForecastInput], horizon: Int = 6, calibration: JSONValue = .null,
                        withoutTails: Bool = false, featureSchema: FeatureSchema? = nil,
                        bounds: JSONValue? = nil, extra: [String: JSONValue] = [:],
                        catalog: Pipeline.ModelCatalog = Pipeline.ModelCatalog(lstm: tinyLSTM())) throws -> ModelVersion {
        var files: [String: Data] = [:]
        for c in components {
            files.merge(try catalog.fit(c, inputs: inputs, horizon: horizon, levels: levels).files) { a, _ in a }
        }
        // A seasonal-naive file as written before it stored the series' tails.
        if withoutTails, let data = files["seasonal-naive.json"],
           var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            object["tails"] = nil
            files["seasonal-naive.json"] = try JSONSerialization.data(withJSONObject: object)
        }
        var seasons: [String: JSONValue] = [:]
        for input in inputs { seasons[input.series.id] = .number(Double(input.season ?? 1)) }
        // The shape of GroupTrainer's ManifestHyperParameters.
        var fields: [String: JSONValue] = [
            "components": .array(components.map { .string($0) }), "parameters": .object([:]),
            "levels": .array(levels.map { .number($0) }), "horizon": .number(Double(horizon)), "seasons": .object(seasons),
        ]
        if let bounds { fields["bounds"] = bounds }
        fields.merge(extra) { _, new in new }
        let hyper: JSONValue = .object(fields)
        let longest = inputs.map(\.series.grid).max { $0.count < $1.count }
        let manifest = ModelManifest(kind: kind, hyperParameters: hyper, featureSchema: featureSchema, trainingWindow: longest,
                                     calibration: calibration)
        return try registry.publish(group: group, manifest: manifest, files: files)
    }

    /// A calibration section for `component` with the given per-step offsets (levels 0.1, 0.5,
    /// 0.9): data units for `cqr`, multiples of the forecast's own scale for `residual-quantile`.
    public static func calibration(_ component: String, offsets: [[Double]], method: String = "cqr") -> JSONValue {
        let steps: [JSONValue] = offsets.enumerated().map { h, row in
            .object(["step": .number(Double(h + 1)), "offsets": .array(row.map { .number($0) }), "samples": 20,
                     "pooledSamples": 20, "firstPooledStep": .number(Double(h + 1)), "lastPooledStep": .number(Double(h + 1)),
                     "clampedLevels": .array([])])
        }
        return .object([component: .object([
            "method": .string(method), "levels": .array(levels.map { .number($0) }), "minimumSamples": 10,
            "steps": .array(steps), "skippedSamples": 0,
        ])])
    }
}
