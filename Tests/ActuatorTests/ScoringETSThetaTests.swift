import Actuator
import Calibration
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// ETS and Theta as published models: what `psm train` writes (`ets.json`, `theta.json`) is
/// scored by `GroupScorer` with the engines' own forecasts, and new points go through their
/// `append` (one state update each), alone and in combinations.
@Suite struct ScoringETSThetaTests {
    /// A period-4 cycle on a slow trend with deterministic noise (short season: fits stay fast in debug builds).
    static func values(_ count: Int, from first: Int = 0) -> [Double] {
        let cycle: [Double] = [0, 1, 0, -1]
        return (first..<(first + count)).map { (t: Int) -> Double in
            let noise = Double((t * 7919) % 13) / 26
            return 20 + 2 * cycle[t % 4] + 0.05 * Double(t) + noise
        }
    }

    static func input(_ id: String, _ values: [Double]) -> ForecastInput {
        ScoringFixture.input(id, values, season: 4)
    }

    static func expectClose(_ got: ForecastDistribution, _ expected: ForecastDistribution, tolerance: Double = 1e-9,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.grid == expected.grid, sourceLocation: sourceLocation)
        for h in 0..<expected.horizon {
            #expect(abs(got.mean[h] - expected.mean[h]) <= tolerance * max(1, abs(expected.mean[h])), sourceLocation: sourceLocation)
            for k in expected.levels.indices {
                let e = expected.quantiles[h][k]
                #expect(abs(got.quantiles[h][k] - e) <= tolerance * max(1, abs(e)), "step \(h + 1) level \(k)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: ["ets", "theta"])
    func aPublishedModelForecastsAsTheEngineAndAppendsThroughItsState(kind: String) throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = Self.values(64)
        let a = Self.input("a", history), b = Self.input("b", Self.values(64, from: 3).map { $0 * 2 })
        try ScoringFixture.publish(registry, group: "web", kind: kind, components: [kind], inputs: [a, b])
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        #expect(scorer.kind == kind && scorer.seriesIDs == ["a", "b"])
        #expect(scorer.nextPosition(seriesID: "a") == a.series.grid.position(at: 64))

        // At once (no live data yet): the Forecasting engine's forecast of the training history.
        let engine: any Forecaster = kind == "ets" ? ETSForecaster(jobs: 1) : ThetaForecaster(jobs: 1)
        let reference = try #require(try engine.forecast([a], horizon: 6, levels: ScoringFixture.levels).first?.result.get())
        Self.expectClose(try scorer.forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels), reference)

        // Re-sent training points are skipped; new ones are one state update each, as `append` on the stored model.
        let fresh = Self.values(5, from: 64)
        try scorer.append(seriesID: "a", observations: Array(history.suffix(3)) + fresh,
                          startingAt: a.series.grid.position(at: 61))
        #expect(scorer.nextPosition(seriesID: "a") == a.series.grid.position(at: 69))
        let loaded = try registry.load(group: "web")
        let expected: ForecastDistribution
        if kind == "ets" {
            var model = try #require(try JSONDecoder().decode([String: ETSModel].self, from: loaded.data("ets.json"))["a"])
            try model.append(observations: fresh)
            expected = try model.forecast(horizon: 6, levels: ScoringFixture.levels)
        } else {
            var model = try #require(try JSONDecoder().decode([String: ThetaModel].self, from: loaded.data("theta.json"))["a"])
            try model.append(observations: fresh)
            expected = try model.forecast(horizon: 6, levels: ScoringFixture.levels)
        }
        Self.expectClose(try scorer.forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels), expected, tolerance: 0)
        // The other series has not moved.
        #expect(scorer.nextPosition(seriesID: "b") == b.series.grid.position(at: 64))
        #expect(throws: ScoringError.self) { try scorer.append(seriesID: "c", observations: [1], startingAt: 0) }
    }

    /// A combination of a fitted-state model with another one: both take the same points and
    /// the forecast is the average of the two engines' forecasts.
    @Test(arguments: [["ets", "seasonal-naive"], ["arima", "theta"], ["ets", "theta"]])
    func combinationsWithETSOrThetaAverageTheirComponents(components: [String]) throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = Self.values(64)
        let a = Self.input("a", history)
        try ScoringFixture.publish(registry, group: "web", kind: "combination", components: components, inputs: [a])
        let loaded = try registry.load(group: "web")
        var scorer = try GroupScorer(model: loaded)
        let fresh = Self.values(7, from: 64)
        try scorer.append(seriesID: "a", observations: fresh, startingAt: a.series.grid.position(at: 64))
        let got = try scorer.forecast(seriesID: "a", horizon: 6, levels: ScoringFixture.levels)

        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let longer = Self.input("a", history + fresh)
        let parts = try components.map { name throws -> ForecastDistribution in
            switch name {
            case "ets":
                var m = try #require(try decoder.decode([String: ETSModel].self, from: loaded.data("ets.json"))["a"])
                try m.append(observations: fresh)
                return try m.forecast(horizon: 6, levels: ScoringFixture.levels)
            case "theta":
                var m = try #require(try decoder.decode([String: ThetaModel].self, from: loaded.data("theta.json"))["a"])
                try m.append(observations: fresh)
                return try m.forecast(horizon: 6, levels: ScoringFixture.levels)
            case "arima":
                var m = try #require(try decoder.decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["a"])
                try m.append(observations: fresh)
                return try m.forecast(horizon: 6, levels: ScoringFixture.levels)
            default:
                return try #require(try SeasonalNaive().forecast([longer], horizon: 6, levels: ScoringFixture.levels).first?.result.get())
            }
        }
        for h in 0..<6 {
            for k in ScoringFixture.levels.indices {
                let expected = (parts[0].quantiles[h][k] + parts[1].quantiles[h][k]) / 2
                #expect(abs(got.quantiles[h][k] - expected) <= 1e-12 * 64)
            }
        }
    }

    /// `psm train`'s own path: ETS and Theta are backtested, calibrated and selected beside
    /// seasonal naive; on a trend seasonal naive lags, one of them wins and the published
    /// version scores as the engine forecasts, with the pipeline's calibration table applied.
    @Test func trainingSelectsETSOrThetaOnATrendAndTheActuatorScoresIt() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: 6)
        c.folds = 2
        c.candidates = ["seasonal-naive", "ets", "theta"]
        c.calibrationMinimumSamples = 10
        c.levels = ScoringFixture.levels
        let history: [Double] = (0..<96).map { (t: Int) -> Double in
            let noise = Double((t * 7919) % 13) / 13
            return 10 + 0.5 * Double(t) + noise
        }
        var a = Self.input("a", history)
        a.series.group = "web"
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5))
        let outcome = trainer.train(TrainingGroup(name: "web", inputs: [a]))
        let decision = try #require(outcome.selection, "\(outcome.reason ?? "") \(outcome.notes)")
        #expect(Set(outcome.candidates.map(\.model)) == ["seasonal-naive", "ets", "theta"])
        #expect(outcome.candidates.allSatisfy { $0.calibrated != nil })
        #expect(!decision.components.contains("seasonal-naive"), "\(decision)")

        let loaded = try registry.load(group: "web")
        #expect(loaded.manifest.kind == decision.winner)
        let scorer = try GroupScorer(model: loaded)
        #expect(scorer.diagnostics.isEmpty, "\(scorer.diagnostics)")
        let got = try scorer.forecast(seriesID: "a", horizon: 6, levels: c.levels)

        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let tables = try decoder.decode([String: CalibrationTable].self, from: JSONEncoder().encode(loaded.manifest.calibration))
        let parts = try decision.components.map { name throws -> ForecastDistribution in
            let engine: any Forecaster = name == "ets" ? ETSForecaster(jobs: 1) : ThetaForecaster(jobs: 1)
            let raw = try #require(try engine.forecast([a], horizon: 6, levels: c.levels).first?.result.get())
            let table = try #require(tables[name], "the pipeline wrote a table for \(name)")
            return table.apply(to: raw.clamped(to: c.bounds)).clamped(to: c.bounds)
        }
        for h in 0..<6 {
            for k in c.levels.indices {
                let expected = parts.map { $0.quantiles[h][k] }.reduce(0, +) / Double(parts.count)
                #expect(abs(got.quantiles[h][k] - expected) <= 1e-9 * max(1, abs(expected)))
            }
        }
    }
}
