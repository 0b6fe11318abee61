import Actuator
import Calibration
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// What `psm train` really publishes (GroupTrainer → RegistryPublisher, with backtest-fitted
/// calibration tables) is what the catalog scores: this pins the artifact formats the actuator
/// decodes on its own.
@Suite struct ScoringPipelineTests {
    @Test func aGroupTrainedByThePipelineScoresAsItsCalibratedComponentsDo() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: 6)
        c.folds = 2
        c.candidates = ["seasonal-naive", "arima"]
        c.calibrationMinimumSamples = 10
        c.levels = ScoringFixture.levels
        let history = ScoringFixture.values(count: 96)
        var a = ScoringFixture.input("a", history)
        a.series.group = "web"
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5))
        let outcome = trainer.train(TrainingGroup(name: "web", inputs: [a]))
        let decision = try #require(outcome.selection, "\(outcome.reason ?? "")")

        let catalog = Actuator.ModelCatalog(registry: registry)
        catalog.refresh()
        let loaded = try registry.load(group: "web")
        let scorer = try #require(catalog.scorer(group: "web"))
        #expect(scorer.kind == decision.winner && scorer.components == decision.components)
        #expect(scorer.diagnostics.isEmpty, "\(scorer.diagnostics)")
        try catalog.record(group: "web", seriesID: "a", observations: history, startingAt: a.series.grid.start, step: a.series.grid.step)
        let got = try #require(try catalog.forecast(group: "web", horizon: 6, levels: c.levels)["a"]?.get())

        // Reference: each component's own forecast on the same history, its table applied, averaged.
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let tables = try decoder.decode([String: CalibrationTable].self, from: JSONEncoder().encode(loaded.manifest.calibration))
        let parts = try decision.components.map { name throws -> ForecastDistribution in
            let raw: ForecastDistribution
            if name == "arima" {
                let model = try #require(try decoder.decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["a"])
                raw = try model.forecast(horizon: 6, levels: c.levels)
            } else {
                raw = try #require(try SeasonalNaive().forecast([a], horizon: 6, levels: c.levels).first?.result.get())
            }
            let table = try #require(tables[name], "the pipeline wrote a table for \(name)")
            // The default table is the scaled one (offsets in units of each forecast's spread).
            #expect(table.method == .residualQuantile)
            // The tables must move something, or this test could not tell calibration was applied.
            #expect(table.apply(to: raw) != raw)
            return table.apply(to: raw)
        }
        for h in 0..<6 {
            for k in c.levels.indices {
                let expected = parts.map { $0.quantiles[h][k] }.reduce(0, +) / Double(parts.count)
                // One rounding per addition and one division: 1e-12 relative to values ~10.
                #expect(abs(got.quantiles[h][k] - expected) <= 1e-12 * 16)
            }
        }
    }
}
