@testable import Actuator
import Features
import Forecasting
import Foundation
import MetricStore
import ModelRegistry
import Pipeline
@testable import Scaling
import ScoringTestSupport
import Testing
import TimeSeries

/// Issue 7, item 2: a notice becomes a feature of its group. The pipeline's own training code
/// learns a coefficient for the notices stored in the actuator's store; served by the runtime, a
/// new notice moves the forecast through that coefficient — at once in the API's view, and in
/// the next cycle's sizing — and the explicit multiplier is not applied on top.
@Suite("Actuator runtime: notices as model features", .serialized)
struct RuntimeNoticeFeatureTests {
    static let trained = 336

    /// Trains group `web` with `GroupTrainer` (ARIMA candidate) on a series whose notice windows
    /// carry `noticeEffect` × (multiplier − 1), the notices read back from the store at `storePath`.
    static func train(registry: URL, storePath: String) throws -> (GroupOutcome, [Double]) {
        let notices = FeatureFixture.trainingNotices(count: trained)
        let store = try MetricStore(path: storePath)
        try store.insert(events: notices, createdAt: FeatureFixture.start)
        // What `psm train` does with the actuator's store: its notices are training events.
        let stored = try store.events(kind: .notice).map(\.event)
        #expect(stored.count == notices.count)
        let values = FeatureFixture.noticeSeries(count: trained + 2, notices: notices)
        var c = TrainingConfiguration(sources: [.init(path: "unused.csv")], horizon: 6)
        c.folds = 2
        c.candidates = ["arima"]
        c.calibrationMinimumSamples = 10
        c.levels = ScoringFixture.levels
        let trainer = GroupTrainer(configuration: c, publisher: RegistryPublisher(registry: ModelRegistry(root: registry), keep: 5),
                                   features: TrainingFeatures(events: stored))
        let group = TrainingGroup(name: "web", inputs: [FeatureFixture.input("web", Array(values[0..<trained]))])
        return (trainer.train(group), values)
    }

    /// A runtime fixture serving the trained registry, sized so that the pool does not clip.
    static func fixture(registry: URL) throws -> RuntimeFixture {
        var f = try RuntimeFixture(running: 100, unit: 10, maximum: 30)
        f.configuration.registry = registry.path
        f.configuration.horizon = 6
        return f
    }

    @Test("a notice reaches a model trained on stored notices through its learned coefficient, in the view and in sizing")
    func learnedNoticeMovesForecastAndSizing() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("notice-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let models = root.appendingPathComponent("Models")
        let withNotice = try Self.fixture(registry: models), without = try Self.fixture(registry: models)
        defer { withNotice.cleanUp(); without.cleanUp() }
        // The notices live in the store of the actuator that will serve the model.
        let (outcome, values) = try Self.train(registry: models, storePath: withNotice.configuration.store)
        let decision = try #require(outcome.selection, "\(outcome.reason ?? "") \(outcome.notes)")
        #expect(decision.components == ["arima"], "selected \(decision.components)")

        // The model learned the notices: the column is in the schema and the fit, with a
        // coefficient near the effect the data carry (40 per unit of multiplier − 1; 24 notice
        // hours against AR(1) noise of σ ≈ 2.5 pin it to a few units, so ±20 % cannot fail by chance).
        let loaded = try ModelRegistry(root: models).load(group: "web")
        #expect(loaded.manifest.featureSchema?.columnNames == ["notice_multiplier"])
        let arima = try #require(try JSONDecoder().decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["web"])
        let column = try #require(arima.specification.exogenous.firstIndex(of: "notice_multiplier"), "\(arima.specification)")
        let beta = arima.beta[(arima.specification.trend == .none ? 0 : 1) + column]
        #expect(abs(beta - FeatureFixture.noticeEffect) < 0.2 * FeatureFixture.noticeEffect, "learned \(beta)")

        // Both actuators see the same demand at the first live position.
        let p = FeatureFixture.start + Int64(Self.trained) * FeatureFixture.step
        var runtimes: [ActuatorRuntime] = []
        for f in [withNotice, without] {
            let runtime = try await f.runtime(clock: ManualWallClock(p))
            await runtime.observe(group: "web", demand: values[Self.trained], at: p)
            let first = await runtime.cycle()
            #expect(first.problems.filter { $0.contains("forecast") }.isEmpty, "\(first.problems)")
            runtimes.append(runtime)
        }
        let plain = try await runtimes[0].forecast(group: "web")
        let grid = try #require(plain.steps.first?.time)
        #expect(grid == p + FeatureFixture.step)

        // A notice over the next three hours, 1.5 × the load.
        let notice = try await runtimes[0].submitNotice(NoticeRequest(group: "web", start: grid, end: grid + 3 * 3600, multiplier: 1.5))
        let view = try await runtimes[0].forecast(group: "web")
        #expect(view.noticeEffects == [NoticeRoute(id: notice.id, path: .model, columns: ["notice_multiplier"])])
        #expect(view.notices == [notice.id])
        // Through the model: β × (1.5 − 1) on the three steps it covers, nothing elsewhere — not
        // the stated 1.5 × the forecast on top (a shift, not a scaling: both halves would show).
        let shift = beta * 0.5
        for (a, b) in zip(plain.steps, view.steps) {
            let expected = b.step <= 3 ? shift : 0
            #expect(abs(b.mean - a.mean - expected) <= 1e-9 * abs(a.mean), "step \(b.step): \(a.mean) → \(b.mean)")
            for (level, q) in a.quantiles {
                #expect(abs((b.quantiles[level] ?? .nan) - q - expected) <= 1e-9 * abs(q), "step \(b.step) q\(level)")
            }
        }

        // The next cycle (same time, same demand for both) sizes on it: the demand quantile moves by
        // the same shift (the calibration's offsets scale with the spread, which the notice leaves alone).
        let sized = await runtimes[0].cycle(), control = await runtimes[1].cycle()
        let q1 = try #require(sized.decisions.first?.quantile.value), q0 = try #require(control.decisions.first?.quantile.value)
        #expect(abs(q1 - q0 - shift) <= 1e-9 * q0, "sized at \(q1) with the notice vs \(q0) without (shift \(shift))")
        let pools = (sized.decisions.first?.final ?? 0, control.decisions.first?.final ?? 0)
        #expect(pools.0 > pools.1, "pool \(pools.0) with the notice vs \(pools.1) without")
    }
}
