import Actuator
import Calibration
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// The scorer adds nothing numerically: after appending points its forecast is the engine's own
/// scoring path run on the same data (SeasonalNaive on the whole history, ARIMAModel.append,
/// LSTMState.advance). Same arithmetic in the same order, so the comparisons are exact.
@Suite struct ScoringScorerTests {
    let levels = ScoringFixture.levels

    @Test func seasonalNaiveScorerFedInChunksEqualsSeasonalNaiveOnTheWholeHistory() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = ScoringFixture.values(count: 72, missing: [71])
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", train)])
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        // Loaded, it already forecasts from the training tail it stores: SeasonalNaive on the training data.
        let atLoad = try #require(try scorer.forecast(horizon: 5, levels: levels)["a"]?.get())
        let trained = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", train)], horizon: 5, levels: levels)
            .first?.result.get())
        #expect(atLoad == trained)
        // Missing points exercise the "same season position one cycle earlier" fallback; the first
        // 72 points (the training data) are skipped as already seen.
        let all = ScoringFixture.values(count: 100, missing: [80, 81, 95, 71])
        let start = ScoringFixture.grid.start
        for (from, to) in [(0, 40), (40, 41), (41, 100)] {
            try scorer.append(seriesID: "a", observations: Array(all[from..<to]),
                              startingAt: start + Int64(from) * ScoringFixture.grid.step)
        }
        let got = try #require(try scorer.forecast(horizon: 30, levels: levels)["a"]?.get())
        let input = ScoringFixture.input("a", all)
        let reference = try #require(try SeasonalNaive().forecast([input], horizon: 30, levels: levels).first?.result.get())
        #expect(got == reference)
    }

    /// A model file without stored tails (written before they existed) starts from nothing.
    @Test func seasonalNaiveScorerWithFewerThanTwoSeasonsIsTheNaiveForecastLikeTheBatchOne() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", ScoringFixture.values(count: 72))], withoutTails: true)
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        let short = ScoringFixture.values(count: 30, missing: [29])
        try scorer.append(seriesID: "a", observations: short, startingAt: ScoringFixture.grid.start)
        let got = try scorer.forecast(seriesID: "a", horizon: 5, levels: levels)
        let reference = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", short)], horizon: 5, levels: levels)
            .first?.result.get())
        #expect(got == reference)
    }

    @Test func arimaScorerAfterAppendingEqualsARIMAModelAppend() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let all = ScoringFixture.values(count: 96)
        let train = Array(all[0..<72])
        try ScoringFixture.publish(registry, group: "db", kind: "arima", components: ["arima"],
                                   inputs: [ScoringFixture.input("b", train)])
        let loaded = try registry.load(group: "db")
        var scorer = try GroupScorer(model: loaded)
        let step = ScoringFixture.grid.step, start = ScoringFixture.grid.start
        #expect(scorer.nextPosition(seriesID: "b") == start + 72 * step)
        // Re-sending already seen points (an overlap) must not condition the model twice.
        try scorer.append(seriesID: "b", observations: Array(all[60..<80]), startingAt: start + 60 * step)
        // A gap of two intervals is filled with missing values.
        try scorer.append(seriesID: "b", observations: Array(all[82..<96]), startingAt: start + 82 * step)

        var reference = try #require(try JSONDecoder().decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["b"])
        try reference.append(observations: Array(all[72..<80]) + [.nan, .nan] + Array(all[82..<96]))
        let expected = try reference.forecast(horizon: 12, levels: levels)
        let got = try scorer.forecast(seriesID: "b", horizon: 12, levels: levels)
        #expect(got == expected)
        #expect(got.grid.start == start + 96 * step)
    }

    @Test func lstmScorerEqualsLSTMStateAdvancedOverTheSamePoints() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let all = ScoringFixture.values(count: 90, level: 20)
        try ScoringFixture.publish(registry, group: "web", kind: "lstm", components: ["lstm"],
                                   inputs: [ScoringFixture.input("a", Array(all[0..<72])),
                                            ScoringFixture.input("c", Array(all[0..<72]).map { $0 * 2 })])
        let loaded = try registry.load(group: "web")
        var scorer = try GroupScorer(model: loaded)
        let step = ScoringFixture.grid.step, start = ScoringFixture.grid.start
        try scorer.append(seriesID: "a", observations: Array(all[0..<72]), startingAt: start)
        try scorer.append(seriesID: "a", observations: Array(all[72..<80]), startingAt: start + 72 * step)
        try scorer.append(seriesID: "a", observations: Array(all[80..<90]), startingAt: start + 80 * step)

        let model = try LSTMModel(serialized: [UInt8](loaded.data("lstm.bin")))
        var state = try LSTMState(model: model, seriesID: "a", history: Array(all[0..<72]))
        try state.advance(observations: Array(all[72..<80]))
        try state.advance(observations: Array(all[80..<90]))
        let expected = try state.forecast(levels: levels)
        let got = try scorer.forecast(seriesID: "a", horizon: model.horizon, levels: levels)
        #expect(got.mean == expected.mean)
        #expect(got.quantiles == expected.quantiles)
        #expect(got.grid.start == start + 90 * step)
        // "c" never received observations: it reports that instead of inventing a forecast.
        #expect(throws: ScoringError.self) { try scorer.forecast(seriesID: "c", horizon: 2, levels: levels) }
    }

    /// A network shared across groups (`scope = "global"`): each group's file holds the same
    /// weights and its own series; the scorer of each group loads and forecasts its series.
    @Test func aNetworkSharedAcrossGroupsIsScoredInEachGroup() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let web = [ScoringFixture.input("a", ScoringFixture.values(count: 72, level: 20)),
                   ScoringFixture.input("b", ScoringFixture.values(count: 72, level: 5, phase: 3))]
        let db = [ScoringFixture.input("c", ScoringFixture.values(count: 72, level: 300, phase: 7))]
        let shared = Pipeline.ModelCatalog(lstm: ScoringFixture.tinyLSTM())
            .sharingLSTM(across: [TrainingGroup(name: "web", inputs: web), TrainingGroup(name: "db", inputs: db)])
        try ScoringFixture.publish(registry, group: "web", kind: "lstm", components: ["lstm"], inputs: web, catalog: shared)
        try ScoringFixture.publish(registry, group: "db", kind: "lstm", components: ["lstm"], inputs: db, catalog: shared)
        var members: [[[Float]]] = []
        for (group, inputs) in [("web", web), ("db", db)] {
            let loaded = try registry.load(group: group)
            let model = try LSTMModel(serialized: [UInt8](loaded.data("lstm.bin")))
            members.append(model.members)
            #expect(model.series.map(\.seriesID) == inputs.map(\.series.id))
            var scorer = try GroupScorer(model: loaded)
            for input in inputs {
                try scorer.append(seriesID: input.series.id, observations: input.series.values, startingAt: ScoringFixture.grid.start)
                let got = try scorer.forecast(seriesID: input.series.id, horizon: 6, levels: levels)
                let state = try LSTMState(model: model, seriesID: input.series.id, history: input.series.values, season: 24)
                let expected = try state.forecast(levels: levels)
                #expect(got.quantiles == expected.quantiles && got.mean == expected.mean)
                #expect(got.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) })
            }
        }
        #expect(members[0] == members[1])
    }

    /// Issue 16 item 5: the manifest's `hyper_parameters.bounds` clips the scored forecast, after
    /// the calibration offsets too (an offset that pushes a quantile below 0 is clipped back).
    @Test func manifestBoundsClipTheCalibratedForecast() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = ScoringFixture.values(count: 72)
        let offsets = [[-100.0, 0.0, 100.0]]
        for (group, bounds) in [("clipped", JSONValue.object(["lower": 0, "upper": 20])), ("old", nil)] {
            try ScoringFixture.publish(registry, group: group, kind: "seasonal-naive", components: ["seasonal-naive"],
                                       inputs: [ScoringFixture.input("a", history)],
                                       calibration: ScoringFixture.calibration("seasonal-naive", offsets: offsets), bounds: bounds)
        }
        var clipped = try GroupScorer(model: registry.load(group: "clipped"))
        var old = try GroupScorer(model: registry.load(group: "old"))
        try clipped.append(seriesID: "a", observations: history, startingAt: ScoringFixture.grid.start)
        try old.append(seriesID: "a", observations: history, startingAt: ScoringFixture.grid.start)
        let got = try clipped.forecast(seriesID: "a", horizon: 4, levels: levels)
        let unclipped = try old.forecast(seriesID: "a", horizon: 4, levels: levels)
        #expect(unclipped.quantiles.contains { $0[0] < 0 } && unclipped.quantiles.contains { $0[2] > 20 },
                "a model published without bounds is not clipped")
        #expect(got.quantiles.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 20 } })
        #expect(got.quantiles.map { $0.map { min(max($0, 0), 20) } } == unclipped.quantiles.map { $0.map { min(max($0, 0), 20) } })
    }

    @Test func calibrationTableShiftsEachQuantileByItsOffset() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = ScoringFixture.values(count: 72)
        let offsets = [[-1.0, 0.0, 2.0], [-1.5, 0.25, 3.0]]
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", history)],
                                   calibration: ScoringFixture.calibration("seasonal-naive", offsets: offsets))
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        try scorer.append(seriesID: "a", observations: history, startingAt: ScoringFixture.grid.start)
        let got = try scorer.forecast(seriesID: "a", horizon: 4, levels: levels)
        let raw = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", history)], horizon: 4, levels: levels)
            .first?.result.get())
        #expect(got.mean == raw.mean)
        for h in 0..<4 {
            // Steps past the table reuse its last step. The offsets keep every row monotone (the
            // interval only widens), so no rearrangement happens; the sum of two doubles is exact
            // to one rounding, hence 1e-12 relative to the values (~10).
            let row = offsets[min(h, offsets.count - 1)]
            for k in levels.indices {
                #expect(abs(got.quantiles[h][k] - (raw.quantiles[h][k] + row[k])) <= 1e-12 * 16)
            }
        }
    }

    /// The training job's default table is scaled: offsets in units of each forecast's own spread
    /// σ̂ = (q_0.9 − q_0.1) / (Φ⁻¹(0.9) − Φ⁻¹(0.1)), so one table serves series of any scale. The
    /// scorer applies the manifest's table with the very function the held-out check used at
    /// training time (bit-identical), and that equals q + σ̂·offset written out by hand.
    @Test func scaledCalibrationTableIsAppliedAsAtTrainingTime() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let offsets = [[-0.5, 0.1, 0.75], [-0.25, 0.0, 1.5]]
        let histories = ["a": ScoringFixture.values(count: 72), "b": ScoringFixture.values(count: 72, phase: 5).map { $0 * 100 }]
        let inputs = histories.keys.sorted().map { ScoringFixture.input($0, histories[$0] ?? []) }
        let section = ScoringFixture.calibration("seasonal-naive", offsets: offsets, method: "residual-quantile")
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: inputs, calibration: section)
        let loaded = try registry.load(group: "web")
        let table = try #require(try JSONDecoder().decode([String: CalibrationTable].self,
                                                          from: JSONEncoder().encode(loaded.manifest.calibration))["seasonal-naive"])
        #expect(table.method == .residualQuantile)
        var scorer = try GroupScorer(model: loaded)
        let z90 = 1.2815515655446004 // Φ⁻¹(0.9)
        for input in inputs {
            try scorer.append(seriesID: input.series.id, observations: input.series.values, startingAt: ScoringFixture.grid.start)
            let got = try scorer.forecast(seriesID: input.series.id, horizon: 3, levels: levels)
            let raw = try #require(try SeasonalNaive().forecast([input], horizon: 3, levels: levels).first?.result.get())
            #expect(got == table.apply(to: raw))
            for h in 0..<3 {
                let sigma = (raw.quantiles[h][2] - raw.quantiles[h][0]) / (2 * z90)
                #expect(sigma > 0)
                let row = offsets[min(h, offsets.count - 1)]
                for k in levels.indices {
                    // A product and a sum: a few roundings relative to the values (~10 and ~1,000).
                    let expected = raw.quantiles[h][k] + sigma * row[k]
                    #expect(abs(got.quantiles[h][k] - expected) <= 1e-12 * abs(expected) * 8)
                }
            }
        }
    }

    @Test func combinationAveragesItsCalibratedComponents() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = ScoringFixture.values(count: 72)
        var calibration = ScoringFixture.calibration("seasonal-naive", offsets: [[-1, 0, 1]])
        if case .object(var o) = calibration, case .object(let arima)? = ScoringFixture.calibration("arima", offsets: [[-2, 0, 2]]) as JSONValue? {
            o.merge(arima) { a, _ in a }
            calibration = .object(o)
        }
        try ScoringFixture.publish(registry, group: "web", kind: "combination", components: ["seasonal-naive", "arima"],
                                   inputs: [ScoringFixture.input("a", history)], calibration: calibration)
        let loaded = try registry.load(group: "web")
        var scorer = try GroupScorer(model: loaded)
        #expect(scorer.components == ["seasonal-naive", "arima"])
        try scorer.append(seriesID: "a", observations: history, startingAt: ScoringFixture.grid.start)
        let got = try scorer.forecast(seriesID: "a", horizon: 3, levels: levels)
        let naive = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", history)], horizon: 3, levels: levels)
            .first?.result.get())
        let arima = try #require(try JSONDecoder().decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["a"])
            .forecast(horizon: 3, levels: levels)
        for h in 0..<3 {
            #expect(abs(got.mean[h] - (naive.mean[h] + arima.mean[h]) / 2) <= 1e-12 * 16)
            for (k, shift) in [-1.5, 0, 1.5].enumerated() {
                // Average of (naive + offset_naive) and (arima + offset_arima); one rounding per operation.
                let expected = (naive.quantiles[h][k] + arima.quantiles[h][k]) / 2 + shift
                #expect(abs(got.quantiles[h][k] - expected) <= 1e-12 * 32)
            }
        }
    }

    @Test func unknownKindUnknownSeriesAndOffGridPositionsAreClearErrors() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let history = ScoringFixture.values(count: 72)
        let manifest = ModelManifest(kind: "prophet", hyperParameters: .object([:]), trainingWindow: ScoringFixture.grid)
        try registry.publish(group: "odd", manifest: manifest, files: [:])
        #expect { try GroupScorer(model: registry.load(group: "odd")) } throws: { error in
            (error as? ScoringError)?.code == .unknownKind && "\(error)".contains("prophet")
        }

        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", history)])
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        #expect { try scorer.append(seriesID: "zz", observations: [1], startingAt: 0) } throws: { error in
            (error as? ScoringError)?.code == .unknownSeries && (error as? ScoringError)?.seriesID == "zz"
        }
        #expect(scorer.forecast(horizon: 2, levels: levels)["zz"] == nil)
        try scorer.append(seriesID: "a", observations: [1, 2], startingAt: ScoringFixture.grid.start)
        #expect { try scorer.append(seriesID: "a", observations: [3], startingAt: ScoringFixture.grid.start + 5000) } throws: { error in
            (error as? ScoringError)?.code == .invalidRequest
        }
    }
}
