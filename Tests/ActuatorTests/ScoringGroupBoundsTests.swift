import Actuator
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries
import Forecasting

/// Issue 16 item 5: a group's own support (`[forecast.groups.<name>]`) reaches the published model
/// and the actuator's scoring — a CPU percentage near 0 with large noise gets no quantile below 0
/// and none above its upper bound, while another group keeps the `[forecast]` default.
@Suite struct ScoringGroupBoundsTests {
    @Test func aGroupsOwnBoundsArePublishedAndClipTheScoredForecast() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: 6)
        c.folds = 2
        c.candidates = ["seasonal-naive"]
        c.calibrationMinimumSamples = 10
        c.levels = [0.025, 0.5, 0.975]
        c.groupBounds["cpu"] = SupportBounds(lower: 0, upper: 6)
        // Around 2 with noise of ±4: the unclipped 95 % band reaches well below 0 and above 6.
        let history = (0..<120).map { t in max(0, 2 + 4 * sin(Double(t * 7919 % 97))) }
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: registry, keep: 5))
        for name in ["cpu", "other"] {
            var input = ScoringFixture.input("a", history)
            input.series.group = name
            let outcome = trainer.train(TrainingGroup(name: name, inputs: [input]))
            #expect(outcome.selection != nil, "\(outcome.reason ?? "")")
        }
        for (name, upper) in [("cpu", 6.0), ("other", Double.infinity)] {
            let catalog = Actuator.ModelCatalog(registry: registry)
            catalog.refresh()
            try catalog.record(group: name, seriesID: "a", observations: history, startingAt: ScoringFixture.grid.start,
                               step: ScoringFixture.grid.step)
            let got = try #require(try catalog.forecast(group: name, horizon: 6, levels: c.levels)["a"]?.get())
            let all = got.quantiles.flatMap { $0 }
            #expect(all.min()! >= 0, "\(name): \(got.quantiles)")
            #expect(all.max()! <= upper, "\(name): \(got.quantiles)")
            if name == "other" { #expect(all.max()! > 6, "the default has no upper bound: \(got.quantiles)") }
            #expect(all.contains(0), "\(name): the lower bound must bind on this series: \(got.quantiles)")
        }
    }
}
