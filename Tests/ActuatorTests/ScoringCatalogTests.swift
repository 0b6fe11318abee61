import Actuator
import Forecasting
import Foundation
import ModelRegistry
import ScoringTestSupport
import Testing
import TimeSeries

@Suite struct ScoringCatalogTests {
    let levels = ScoringFixture.levels
    let step = ScoringFixture.grid.step
    let start = ScoringFixture.grid.start

    @Test func refreshLoadsCurrentThenReadsOnlyThePointerUntilItChanges() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let v1 = try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                            inputs: [ScoringFixture.input("a", ScoringFixture.values(count: 72))])
        let catalog = Actuator.ModelCatalog(registry: registry)
        #expect(catalog.refresh() == ["web": .loaded(v1, previous: nil)])
        #expect(catalog.refresh() == ["web": .unchanged(v1)])
        #expect(catalog.version(group: "web") == v1)
        // A group with nothing in service is reported, not a crash.
        let missing = Actuator.ModelCatalog(registry: registry, groups: ["nope"])
        guard case .failed(let error, serving: nil)? = missing.refresh()["nope"] else {
            Issue.record("expected a failure for a group that does not exist")
            return
        }
        #expect(error.code == .registry && error.message.contains("groupNotFound"))
        #expect { try missing.forecast(group: "nope", horizon: 1, levels: levels) } throws: { ($0 as? ScoringError)?.code == .registry }
    }

    /// `include` (the runtime's memory catalog): only the registry groups it accepts are read, and
    /// one published later is picked up by the next refresh; the others are never reported.
    @Test func includeServesOnlyTheAcceptedGroups() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = [ScoringFixture.input("a", ScoringFixture.values(count: 72))]
        _ = try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"], inputs: input)
        let catalog = Actuator.ModelCatalog(registry: registry, include: { $0.hasSuffix(".memory_mib") })
        #expect(catalog.refresh().isEmpty)
        let v = try ScoringFixture.publish(registry, group: "web.memory_mib", kind: "seasonal-naive",
                                           components: ["seasonal-naive"], inputs: input)
        #expect(catalog.refresh() == ["web.memory_mib": .loaded(v, previous: nil)])
        #expect(catalog.version(group: "web") == nil && catalog.version(group: "web.memory_mib") == v)
    }

    @Test func hotReloadPrimesTheNewVersionWithTheKeptHistory() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let all = ScoringFixture.values(count: 110)
        let v1 = try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                            inputs: [ScoringFixture.input("a", Array(all[0..<72]))])
        let catalog = Actuator.ModelCatalog(registry: registry, groups: ["web"])
        catalog.refresh()
        // Live metrics arrive in intervals, including a re-sent overlap.
        try catalog.record(group: "web", seriesID: "a", observations: Array(all[0..<80]), startingAt: start, step: step)
        try catalog.record(group: "web", seriesID: "a", observations: Array(all[75..<90]), startingAt: start + 75 * step, step: step)
        let before = try #require(try catalog.forecast(group: "web", horizon: 4, levels: levels)["a"]?.get())
        let naive = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", Array(all[0..<90]))], horizon: 4,
                                                              levels: levels).first?.result.get())
        #expect(before == naive)

        // A retrain publishes an ARIMA fitted on the first 84 points; the catalog swaps it in and
        // conditions it on the points it kept since (84..<90), without re-reading anything.
        let v2 = try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"],
                                            inputs: [ScoringFixture.input("a", Array(all[0..<84]))])
        #expect(catalog.refresh() == ["web": .loaded(v2, previous: v1)])
        try catalog.record(group: "web", seriesID: "a", observations: Array(all[90..<110]), startingAt: start + 90 * step, step: step)
        let got = try #require(try catalog.forecast(group: "web", horizon: 6, levels: levels)["a"]?.get())
        var reference = try #require(try JSONDecoder().decode([String: ARIMAModel].self,
                                                              from: registry.load(group: "web").data("arima.json"))["a"])
        try reference.append(observations: Array(all[84..<110]))
        #expect(got == (try reference.forecast(horizon: 6, levels: levels)))
        #expect(catalog.lastError(group: "web") == nil)
    }

    @Test func aCorruptNewVersionKeepsThePreviousScorerServingAndReportsTheError() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let all = ScoringFixture.values(count: 100)
        let v1 = try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                            inputs: [ScoringFixture.input("a", Array(all[0..<72]))])
        let catalog = Actuator.ModelCatalog(registry: registry)
        catalog.refresh()
        try catalog.record(group: "web", seriesID: "a", observations: Array(all[0..<90]), startingAt: start, step: step)

        let v2 = try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"],
                                            inputs: [ScoringFixture.input("a", Array(all[0..<72]))])
        // Tamper with the new version's parameter file after publication.
        let file = try registry.load(group: "web", version: v2).directory.appendingPathComponent("arima.json")
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: file)

        guard case .failed(let error, serving: let serving)? = catalog.refresh()["web"] else {
            Issue.record("a tampered version must not load")
            return
        }
        #expect(serving == v1)
        #expect(error.code == .registry && error.message.contains("arima.json") && error.message.contains(v2.id))
        #expect(catalog.lastError(group: "web") == error)
        #expect(catalog.version(group: "web") == v1)
        // The old model keeps forecasting, and keeps taking new points.
        try catalog.record(group: "web", seriesID: "a", observations: Array(all[90..<100]), startingAt: start + 90 * step, step: step)
        let got = try #require(try catalog.forecast(group: "web", horizon: 3, levels: levels)["a"]?.get())
        let naive = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", all)], horizon: 3, levels: levels)
            .first?.result.get())
        #expect(got == naive)

        // Publishing a good version afterwards clears the error.
        let v3 = try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                            inputs: [ScoringFixture.input("a", all)])
        #expect(catalog.refresh() == ["web": .loaded(v3, previous: v1)])
        #expect(catalog.lastError(group: "web") == nil)
    }

    @Test func aModelWhoseSeriesDoNotMatchIsRefusedAtRecordTimeOnlyForItsOwnSeries() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", ScoringFixture.values(count: 72))], withoutTails: true)
        let catalog = Actuator.ModelCatalog(registry: registry)
        catalog.refresh()
        // A series the model does not know is kept as history (a retrain may add it), not scored.
        try catalog.record(group: "web", seriesID: "new", observations: [1, 2, 3], startingAt: start, step: step)
        let forecasts = try catalog.forecast(group: "web", horizon: 2, levels: levels)
        #expect(forecasts["new"] == nil)
        #expect { try forecasts["a"]?.get() } throws: { ($0 as? ScoringError)?.message == "no observations yet" }
        try catalog.record(group: "web", seriesID: "a", observations: [1], startingAt: start, step: step)
        // Off the grid: refused with the reason, nothing recorded.
        #expect { try catalog.record(group: "web", seriesID: "a", observations: [2], startingAt: start + 1, step: step) } throws: {
            ($0 as? ScoringError)?.code == .invalidRequest
        }
        #expect(catalog.scorer(group: "web")?.nextPosition(seriesID: "a") == start + step)
    }
}

extension ScoringCatalogTests {
    @Test func concurrentRecordsAndRefreshesLoseNoPoint() async throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let all = ScoringFixture.values(count: 400)
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", Array(all[0..<72]))])
        let catalog = Actuator.ModelCatalog(registry: registry)
        catalog.refresh()
        let start = self.start, step = self.step
        // One writer records intervals while a retrain is published and refreshes race with it.
        async let writer: Void = {
            for i in stride(from: 0, to: 400, by: 10) {
                try catalog.record(group: "web", seriesID: "a", observations: Array(all[i..<(i + 10)]),
                                   startingAt: start + Int64(i) * step, step: step)
            }
        }()
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("a", Array(all[0..<96]))])
        for _ in 0..<5 { catalog.refresh() }
        try await writer
        // Whichever version serves, primed or appended, it has seen exactly the 400 points.
        let got = try #require(try catalog.forecast(group: "web", horizon: 5, levels: levels)["a"]?.get())
        let reference = try #require(try SeasonalNaive().forecast([ScoringFixture.input("a", all)], horizon: 5, levels: levels)
            .first?.result.get())
        #expect(got == reference)
    }
}
