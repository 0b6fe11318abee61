import Actuator
import Features
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// Opt-in: `PSM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter FeatureScoringBenchmark`.
/// What a cycle's scoring costs per group for an ARIMA with calendar and notice regressors, the
/// part of it that computes the regressor rows (`FeatureSchema.matrix` for the appended point and
/// the horizon), and the same series' ARIMA fitted without regressors (its own orders, so its cost
/// differs for that reason too) (docs/benchmarks.md, "Scoring with features").
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PSM_BENCH"] == "1"))
struct FeatureScoringBenchmark {
    static let groups = 2_000, cycles = 9, horizon = 12
    static let levels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]

    @Test func scoringCostPerGroupWithAndWithoutRegressors() throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory() + "psm-scoring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let registry = ModelRegistry(root: root.appendingPathComponent("Models"))
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try FeatureFixture.calendar()
        let n = 336
        let notices = FeatureFixture.trainingNotices(count: n)
        let values = FeatureFixture.noticeSeries(count: n + Self.cycles, notices: notices)
        let features = TrainingFeatures(calendar: file.calendar, events: file.events + notices, hourOfDay: .cyclic)
        let (train, schema) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("web", Array(values[0..<n]))]))
        try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"], inputs: train.inputs,
                                   horizon: Self.horizon, featureSchema: schema)
        try ScoringFixture.publish(registry, group: "plain", kind: "arima", components: ["arima"],
                                   inputs: [FeatureFixture.input("web", Array(values[0..<n]), group: "plain")], horizon: Self.horizon)
        let featured = try GroupScorer(model: registry.load(group: "web"))
        let plain = try GroupScorer(model: registry.load(group: "plain"))
        // The runtime's events for a featured group with one current notice: the calendar's and it.
        let next = FeatureFixture.start + Int64(n) * FeatureFixture.step
        let live = file.events + [Event(name: "notice", kind: .notice, start: next + 3600, end: next + 4 * 3600,
                                        scope: .groups(["web"]), multiplier: 1.5)]
        var lines: [String] = []
        for (label, prototype, events) in [("with regressors", featured, live), ("without", plain, file.events)] {
            var scorers = [GroupScorer](repeating: prototype, count: Self.groups)
            var perGroup: [Double] = []
            for c in 0..<Self.cycles {
                let position = next + Int64(c) * FeatureFixture.step
                let started = ContinuousClock.now
                for g in scorers.indices {
                    try scorers[g].append(seriesID: "web", observations: [values[n + c]], startingAt: position, events: events)
                    _ = try scorers[g].forecast(seriesID: "web", horizon: Self.horizon, levels: Self.levels, events: events)
                }
                let d = ContinuousClock.now - started
                perGroup.append((Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12) / Double(Self.groups))
            }
            let median = perGroup.sorted()[perGroup.count / 2]
            let model = try JSONDecoder().decode([String: ARIMAModel].self,
                                                 from: registry.load(group: label == "without" ? "plain" : "web").data("arima.json"))["web"]
            lines.append(String(format: "%@ (%@): %.2f µs per group (append 1 point + %d-step forecast), cycles %@", label,
                                model?.name ?? "?", median, Self.horizon, perGroup.map { String(format: "%.2f", $0) }.joined(separator: " ")))
        }
        // The regressor rows alone, as the scorer computes them per group and cycle.
        let s = try #require(schema)
        var rowsCost: [Double] = []
        for c in 0..<Self.cycles {
            let position = next + Int64(c) * FeatureFixture.step
            let started = ContinuousClock.now
            for _ in 0..<Self.groups {
                _ = try s.matrix(for: TimeGrid(axis: .time, start: position, step: FeatureFixture.step, count: 1),
                                 seriesID: "web", group: "web", events: live)
                _ = try s.matrix(for: TimeGrid(axis: .time, start: position + FeatureFixture.step, step: FeatureFixture.step,
                                               count: Self.horizon), seriesID: "web", group: "web", events: live)
            }
            let d = ContinuousClock.now - started
            rowsCost.append((Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12) / Double(Self.groups))
        }
        lines.append(String(format: "of which the regressor rows: %.2f µs per group", rowsCost.sorted()[rowsCost.count / 2]))
        print("FeatureScoringBenchmark, \(Self.groups) groups, schema \(schema?.columnNames ?? []):\n  " + lines.joined(separator: "\n  "))
    }
}
