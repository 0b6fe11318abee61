import Actuator
import Calibration
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// Median and CRPS-weighted combinations as published models: `psm train` selects one, the
/// manifest records its rule, members and weights, and `GroupScorer` forecasts exactly what the
/// training side combines (the components' engine forecasts, clipped, calibrated, clipped, then
/// `QuantileCombination`).
@Suite struct ScoringCombinationTests {
    /// A period-4 cycle whose amplitude and level wander (deterministic): no single model is
    /// right everywhere, and the CRPS-weighted combination of all four wins the backtest
    /// (`psm forecast --model auto` on the same series says so too). 80 points: seasonal naive's
    /// published tail (20 seasons) is then the whole series, so its spread is the engine's.
    static func values(_ count: Int) -> [Double] {
        let cycle: [Double] = [0, 1, 0, -1]
        return (0..<count).map { (t: Int) -> Double in
            let noise = Double((t * 7941) % 13) / 13 - 0.5
            let level = 20 + 7 * sin(Double(t) / 12)
            return level + (2 + sin(Double(t) / 17)) * cycle[t % 4] + noise
        }
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    @Test func aTrainedCombinationScoresAsTrainingCombinesIt() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: 6)
        c.candidates = ["seasonal-naive", "arima", "ets", "theta"]
        c.levels = ScoringFixture.levels
        var a = ScoringFixture.input("a", Self.values(80), season: 4)
        a.series.group = "web"
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5))
        let outcome = trainer.train(TrainingGroup(name: "web", inputs: [a]))
        let decision = try #require(outcome.selection, "\(outcome.reason ?? "") \(outcome.notes)")
        #expect(decision.winner == "combination", "\(decision)")
        let rule = try #require(decision.rule)
        #expect(rule == .weighted, "\(decision)")
        #expect(decision.components == ["seasonal-naive", "arima", "ets", "theta"])
        let weights = try #require(decision.weights)
        #expect(abs(weights.values.reduce(0, +) - 1) < 1e-9)

        let loaded = try registry.load(group: "web")
        #expect(loaded.manifest.kind == "combination")
        let scorer = try GroupScorer(model: loaded)
        #expect(scorer.rule == rule && scorer.components == decision.components)
        #expect(scorer.diagnostics.isEmpty, "\(scorer.diagnostics)")
        let got = try scorer.forecast(seriesID: "a", horizon: 6, levels: c.levels)

        let tables = try Self.decoder().decode([String: CalibrationTable].self, from: JSONEncoder().encode(loaded.manifest.calibration))
        let parts = try decision.components.map { name throws -> ForecastDistribution in
            let engine = try #require(Pipeline.ModelCatalog(lstm: TrainingConfiguration.defaultLSTM).forecaster(name))
            let raw = try #require(try engine.forecast([a], horizon: 6, levels: c.levels).first?.result.get())
            let table = try #require(tables[name], "the pipeline wrote a table for \(name)")
            return table.apply(to: raw.clamped(to: c.bounds)).clamped(to: c.bounds)
        }
        let expected = try QuantileCombination.combine(parts, rule: rule, weights: decision.componentWeights)
        ScoringETSThetaTests.expectClose(got, expected)
    }

    /// Hand-published manifests: the scorer reads the rule and the weights (normalised), and
    /// refuses a weighted combination without a weight per component.
    @Test func theScorerCombinesByTheManifestsRuleAndWeights() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let a = ScoringFixture.input("a", ScoringETSThetaTests.values(64), season: 4)
        let components = ["seasonal-naive", "ets", "theta"]
        let single = try components.map { name throws -> ForecastDistribution in
            try ScoringFixture.publish(registry, group: name, kind: name, components: [name], inputs: [a])
            return try GroupScorer(model: registry.load(group: name)).forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels)
        }
        try ScoringFixture.publish(registry, group: "weighted", kind: "combination", components: components, inputs: [a],
                                   extra: ["rule": "weighted", "weights": .object(["seasonal-naive": 2, "ets": 1, "theta": 1])])
        let w = try GroupScorer(model: registry.load(group: "weighted"))
        #expect(w.rule == .weighted && w.weights == [0.5, 0.25, 0.25])
        ScoringETSThetaTests.expectClose(try w.forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels),
                                         try QuantileCombination.combine(single, rule: .weighted, weights: [0.5, 0.25, 0.25]),
                                         tolerance: 1e-12)
        try ScoringFixture.publish(registry, group: "median", kind: "combination", components: components, inputs: [a],
                                   extra: ["rule": "median"])
        let m = try GroupScorer(model: registry.load(group: "median"))
        let median = try m.forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels)
        for h in 0..<6 {
            for k in ScoringFixture.levels.indices {
                #expect(median.quantiles[h][k] == QuantileCombination.median(single.map { $0.quantiles[h][k] }))
            }
        }
        try ScoringFixture.publish(registry, group: "broken", kind: "combination", components: components, inputs: [a],
                                   extra: ["rule": "weighted", "weights": .object(["ets": 1])])
        #expect(throws: ScoringError.self) { try GroupScorer(model: registry.load(group: "broken")) }
    }
}
