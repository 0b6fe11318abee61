import Actuator
import Features
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import ScoringTestSupport
import Testing
import TimeSeries

/// A model trained with calendar features scores in the actuator exactly as the training side
/// forecasts: the scorer computes the regressor rows with the manifest's `FeatureSchema` (the
/// code `TrainingFeatures` built the training matrix with) and drives the engine's own scoring
/// path. The rows are bit-identical (FeaturesTests' parity tests) and the engine calls the same,
/// so the comparison could be exact; 1e-12 relative leaves room for nothing but a reordering.
@Suite struct ScoringFeatureTests {
    let levels = ScoringFixture.levels
    static let trained = 336, appended = 12, horizon = 24

    /// Calendar features as `psm train` would configure them: local hour (cyclic), weekday
    /// (one-hot), a weekly Fourier pair, the holiday flag and the promotion window.
    static func features(_ file: CalendarFile) -> TrainingFeatures {
        TrainingFeatures(calendar: file.calendar, events: file.events, hourOfDay: .cyclic, dayOfWeek: .oneHot,
                         fourier: [FourierTerm(period: 7 * 86_400, harmonics: 1)])
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }

    @Test func arimaWithCalendarFeaturesScoresAsARIMAModelWithTheTrainingMatrix() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try FeatureFixture.calendar()
        let n = Self.trained, k = Self.appended, h = Self.horizon
        let all = FeatureFixture.calendarSeries(count: n + k, calendar: file)
        let features = Self.features(file)
        let (train, schema) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("a", Array(all[0..<n]))]))
        let trainedSchema = try #require(schema)
        try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"], inputs: train.inputs,
                                   horizon: h, featureSchema: trainedSchema)
        let loaded = try registry.load(group: "web")
        var model = try #require(try JSONDecoder().decode([String: ARIMAModel].self, from: loaded.data("arima.json"))["a"])
        // The fit kept the calendar columns (none was constant), so the comparison exercises them.
        for column in ["hour_sin", "holiday", "promotion_window", "fourier_604800_1_sin"] {
            #expect(model.specification.exogenous.contains(column), "\(model.specification.exogenous)")
        }

        // Training side: the matrix over history + appended + horizon, from the training code.
        let (whole, _) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("a", all)]), futureSteps: h)
        let matrix = try #require(whole.inputs.first?.regressors)
        try model.append(observations: Array(all[n..<(n + k)]), regressors: FeatureFixture.rows(matrix, n..<(n + k)))
        let reference = try model.forecast(horizon: h, levels: levels, futureRegressors: FeatureFixture.rows(matrix, (n + k)..<(n + k + h)))

        // Actuator side: the scorer, given only the calendar's events.
        var scorer = try GroupScorer(model: loaded)
        #expect(scorer.usesFeatures)
        try scorer.append(seriesID: "a", observations: Array(all[n..<(n + k)]),
                          startingAt: FeatureFixture.start + Int64(n) * FeatureFixture.step, events: file.events)
        let got = try scorer.forecast(seriesID: "a", horizon: h, levels: levels, events: file.events)
        #expect(got.grid == reference.grid)
        for s in 0..<h {
            #expect(Self.close(got.mean[s], reference.mean[s]), "step \(s + 1): \(got.mean[s]) vs \(reference.mean[s])")
            for q in levels.indices { #expect(Self.close(got.quantiles[s][q], reference.quantiles[s][q])) }
        }
        // The features matter: without the calendar's events the promotions of the horizon vanish.
        let bare = try scorer.forecast(seriesID: "a", horizon: h, levels: levels)
        #expect(zip(bare.mean, got.mean).contains { abs($0 - $1) > 5 })
    }

    @Test func lstmWithCalendarFeaturesScoresAsLSTMStateWithTheTrainingRows() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try FeatureFixture.calendar()
        let n = 120, k = 5, h = 6
        let all = FeatureFixture.calendarSeries(count: n + k, calendar: file)
        let features = Self.features(file)
        let (train, schema) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("a", Array(all[0..<n]))]))
        try ScoringFixture.publish(registry, group: "web", kind: "lstm", components: ["lstm"], inputs: train.inputs, horizon: h,
                                   featureSchema: try #require(schema))
        let loaded = try registry.load(group: "web")
        let lstm = try LSTMModel(serialized: [UInt8](loaded.data("lstm.bin")))
        #expect(lstm.shape.featureCount == schema?.columnCount)

        let (whole, _) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("a", all)]),
                                             futureSteps: lstm.horizon)
        let matrix = try #require(whole.inputs.first?.regressors)
        let order = try lstm.features.names.map { name in try #require(matrix.names.firstIndex(of: name)) }
        let rows = { (range: Range<Int>) in range.map { r in order.map { matrix[r, $0] } } }
        var state = try LSTMState(model: lstm, seriesID: "a", history: Array(all[0..<n]), features: rows(0..<n))
        try state.advance(observations: Array(all[n..<(n + k)]), features: rows(n..<(n + k)))
        let reference = try state.forecast(futureFeatures: rows((n + k)..<(n + k + lstm.horizon)), levels: levels)

        var scorer = try GroupScorer(model: loaded)
        try scorer.append(seriesID: "a", observations: Array(all[0..<n]), startingAt: FeatureFixture.start, events: file.events)
        try scorer.append(seriesID: "a", observations: Array(all[n..<(n + k)]),
                          startingAt: FeatureFixture.start + Int64(n) * FeatureFixture.step, events: file.events)
        let got = try scorer.forecast(seriesID: "a", horizon: h, levels: levels, events: file.events)
        // Same Float network over the same rows: identical.
        #expect(got.mean == reference.mean)
        #expect(got.quantiles == reference.quantiles)
    }

    /// Which notices a served model has learned: those every component reads through a column
    /// that gives them a value — an ARIMA fitted with `notice_multiplier` and a notice with a
    /// multiplier; not a level-only notice, and not when a seasonal naive shares the forecast.
    @Test func aNoticeIsLearnedOnlyWhenEveryComponentHasAColumnThatCarriesIt() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let n = 144
        let notices = FeatureFixture.trainingNotices(count: n)
        let values = FeatureFixture.noticeSeries(count: n, notices: notices)
        let (train, schema) = try TrainingFeatures(events: notices)
            .attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("web", values)]))
        #expect(schema?.columnNames == ["notice_multiplier"])
        let later = FeatureFixture.start + Int64(n + 2) * FeatureFixture.step
        let multiplier = Event(name: "notice", kind: .notice, start: later, end: later + 7200, scope: .groups(["web"]), multiplier: 1.4)
        let level = Event(name: "notice", kind: .notice, start: later, end: later + 7200, scope: .groups(["web"]), level: 180)
        let elsewhere = Event(name: "notice", kind: .notice, start: later, end: later + 7200, scope: .groups(["db"]), multiplier: 1.4)

        try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"], inputs: train.inputs,
                                   featureSchema: schema)
        let arima = try GroupScorer(model: registry.load(group: "web"))
        #expect(arima.learnedColumns(of: multiplier, seriesID: "web")?.names == ["notice_multiplier"])
        #expect(arima.learnedColumns(of: level, seriesID: "web") == nil)
        #expect(arima.learnedColumns(of: elsewhere, seriesID: "web") == nil)

        try ScoringFixture.publish(registry, group: "web", kind: "combination", components: ["arima", "seasonal-naive"],
                                   inputs: train.inputs, featureSchema: schema)
        let combination = try GroupScorer(model: registry.load(group: "web"))
        #expect(combination.usesFeatures)
        #expect(combination.learnedColumns(of: multiplier, seriesID: "web") == nil)
    }

    // MARK: - Bad inputs

    /// A model fitted with calendar features, and what its manifest claims.
    func publishCalendarARIMA(_ registry: ModelRegistry, schema: (FeatureSchema?) throws -> FeatureSchema?) throws {
        let file = try FeatureFixture.calendar()
        let all = FeatureFixture.calendarSeries(count: 120, calendar: file)
        let features = TrainingFeatures(calendar: file.calendar, events: file.events, hourOfDay: .cyclic)
        let (train, trained) = try features.attach(to: TrainingGroup(name: "web", inputs: [FeatureFixture.input("a", all)]))
        try ScoringFixture.publish(registry, group: "web", kind: "arima", components: ["arima"], inputs: train.inputs,
                                   featureSchema: try schema(trained))
    }

    func loadError(_ registry: ModelRegistry) throws -> ScoringError? {
        let loaded = try registry.load(group: "web")
        do {
            _ = try GroupScorer(model: loaded)
            return nil
        } catch {
            return error
        }
    }

    @Test func aManifestWithoutTheSchemaItsRegressorsNeedIsRefusedWithTheColumns() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        try publishCalendarARIMA(registry) { _ in nil }
        let error = try #require(try loadError(registry))
        #expect(error.code == .features)
        #expect(error.message.contains("feature_schema") && error.message.contains("hour_sin"), "\(error)")
    }

    @Test func aSchemaThatLacksAColumnTheModelUsesIsRefused() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try FeatureFixture.calendar()
        // The hour columns are gone from the schema the manifest carries.
        try publishCalendarARIMA(registry) { _ in
            try FeatureSchema(axis: .time, calendar: file.calendar, holidayFlag: true, events: [EventFeature(kind: .promotion)])
        }
        let error = try #require(try loadError(registry))
        #expect(error.code == .features)
        #expect(error.message.contains("hour_sin") && error.message.contains("does not compute"), "\(error)")
    }

    @Test func aSchemaForAnotherAxisIsRefused() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        try publishCalendarARIMA(registry) { _ in try FeatureSchema(axis: .index, events: [EventFeature(kind: .promotion)]) }
        let error = try #require(try loadError(registry))
        #expect(error.code == .features && error.message.contains("axis"), "\(error)")
    }

    @Test func anEventBeyondTheFeaturePositionsIsAClearErrorNotACrash() throws {
        let (registry, root) = try ScoringFixture.temporaryRegistry()
        defer { try? FileManager.default.removeItem(at: root) }
        try publishCalendarARIMA(registry) { $0 }
        let scorer = try GroupScorer(model: registry.load(group: "web"))
        let far = Event(name: "far promotion", kind: .promotion, start: 2_000_000_000_000, end: 2_000_000_003_600, scope: .groups(["web"]))
        #expect(throws: ScoringError.self) { try scorer.forecast(seriesID: "a", horizon: 3, levels: levels, events: [far]) }
        do {
            _ = try scorer.forecast(seriesID: "a", horizon: 3, levels: levels, events: [far])
        } catch {
            #expect(error.code == .features)
            #expect(error.message.contains("far promotion") && error.message.contains("outside"), "\(error)")
        }
        // An event of a kind the schema has no column for is simply not read.
        let other = Event(name: "far notice", kind: .notice, start: 2_000_000_000_000, end: 2_000_000_003_600)
        #expect(throws: Never.self) { try scorer.forecast(seriesID: "a", horizon: 3, levels: levels, events: [other]) }
    }
}
