import Forecasting
import Foundation
import ModelRegistry
import ScoringTestSupport
import Testing
import TimeSeries
@testable import Actuator

/// Issue 16 item 4 on the actuator's side: a live spike at the origin is treated as the
/// training path treats it — the incremental seasonal naive forecasts from the cleaned history
/// like `SeasonalNaive`, and a published ETS or Theta takes it through its origin guard.
@Suite struct ScoringOriginOutlierTests {
    let levels = ScoringFixture.levels

    @Test func seasonalNaiveScorerCleansALiveSpikeLikeTheBatchForecast() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = ScoringFixture.values(count: 240)
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", train)])
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        var all = ScoringFixture.values(count: 300, missing: [250])
        all[299] = 95
        all[290] = -40
        try scorer.append(seriesID: "a", observations: Array(all[240..<300]),
                          startingAt: ScoringFixture.grid.start + 240 * ScoringFixture.grid.step)
        let got = try #require(try scorer.forecast(horizon: 30, levels: levels)["a"]?.get())
        let batch = try SeasonalNaive().forecast([ScoringFixture.input("a", all)], horizon: 30, levels: levels)[0]
        #expect(batch.originOutliers.count == 2, "\(batch.diagnostics)")
        let reference = try batch.result.get()
        // The sums restart before the first replaced point: the same arithmetic in the same order.
        #expect(got == reference)
        // A day later the spike's hour is forecast at the usual level, not at 95.
        #expect(got.mean[23] < 20, "\(got.mean[23])")
        #expect(got.mean[14] > 0, "\(got.mean[14])")
    }

    @Test(arguments: ["ets", "theta"]) func aPublishedStateModelTakesALiveSpikeThroughItsGuard(kind: String) throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = ScoringFixture.values(count: 240)
        try ScoringFixture.publish(registry, group: "web", kind: kind, components: [kind], inputs: [ScoringFixture.input("a", train)])
        var scorer = try GroupScorer(model: registry.load(group: "web"))
        var live = Array(ScoringFixture.values(count: 246)[240..<246])
        live[5] = 95
        try scorer.append(seriesID: "a", observations: live, startingAt: ScoringFixture.grid.start + 240 * ScoringFixture.grid.step)
        let got = try #require(try scorer.forecast(horizon: 6, levels: levels)["a"]?.get())
        #expect(got.mean.max()! < 20, "\(got.mean)")
    }
}
