import Calibration
import Evaluation
import Features
import Forecasting
import Foundation
import TimeSeries

/// Trains one group: backtest every candidate → calibrate → select → fit the winner on the full
/// history → publish. Never throws: every failure becomes a `.failed` outcome with its reason.
package struct GroupTrainer: Sendable {
    package var configuration: TrainingConfiguration
    package var catalog: ModelCatalog
    package var publisher: any ModelPublisher
    /// The feature schema of a group's regressors, for the manifest (nil: no calendar features),
    /// when the caller attached the regressors itself; unused when `features` is set.
    package var featureSchema: @Sendable (TrainingGroup) -> FeatureSchema?
    /// Calendar, events and notices: each group's regressors and schema are built from them
    /// before the backtest (appended to regressors the inputs already carry).
    package var features: TrainingFeatures?
    /// The LSTM network each group shares with others (`scope = "global"`), by group name; a
    /// group not in it trains its own. Set by `TrainingJob.run`.
    var lstmPools: [String: GlobalLSTM] = [:]

    package init(configuration: TrainingConfiguration, publisher: any ModelPublisher, features: TrainingFeatures? = nil,
                featureSchema: @escaping @Sendable (TrainingGroup) -> FeatureSchema? = { _ in nil }) {
        self.configuration = configuration
        self.catalog = ModelCatalog(lstm: configuration.lstm, arima: configuration.arima)
        self.publisher = publisher
        self.features = features
        self.featureSchema = featureSchema
    }

    /// The candidates evaluated: the configured ones, with the baseline always first.
    package var candidateNames: [String] {
        [Selection.baseline] + configuration.candidates.filter { $0 != Selection.baseline }
    }

    package func train(_ group: TrainingGroup, clock: () -> Date = Date.init) -> GroupOutcome {
        let start = clock()
        var outcome = run(group)
        outcome.seconds = clock().timeIntervalSince(start)
        return outcome
    }

    func run(_ group: TrainingGroup) -> GroupOutcome {
        // The group's own support (`[forecast.groups.<name>]`) replaces the default everywhere below.
        var configuration = self.configuration
        configuration.bounds = configuration.bounds(for: group.name)
        let ids = group.inputs.map(\.series.id)
        if let problem = publisher.problem(group: group.name) {
            return GroupOutcome(group: group.name, status: .failed, reason: problem, series: ids)
        }
        let prepared: Prepared
        switch prepare(group, configuration: configuration) {
        case .ready(let p): prepared = p
        case .finished(let outcome): return outcome
        }
        let usable = prepared.usable, schema = prepared.schema
        var notes = prepared.notes
        var catalog = self.catalog
        catalog.globalLSTM = lstmPools[group.name]
        if let pool = catalog.globalLSTM, candidateNames.contains("lstm") {
            notes.append("lstm: one network shared by \(pool.groups.count) group\(pool.groups.count == 1 ? "" : "s") "
                         + "(\(pool.inputs.count) series)")
        }
        let trainingGroup = TrainingGroup(name: group.name, inputs: usable)
        let fingerprint = trainingGroup.fingerprint
        do {
            let calibration = CandidateCalibration(method: configuration.calibrationMethod,
                                                   minimumSamples: configuration.calibrationMinimumSamples,
                                                   schedule: try configuration.calibrationSchedule())
            let runs = CandidateRuns(candidateNames, catalog: catalog, inputs: usable, configuration: configuration,
                                     calibration: calibration)
            let evaluations = runs.evaluations, backtests = runs.backtests
            notes += runs.notes
            let metrics = runs.metrics
            guard let decision = Selection.choose(evaluations.map(\.calibrated), horizon: configuration.horizon) else {
                return GroupOutcome(group: group.name, status: .failed, reason: "no candidate produced a backtest forecast",
                                    series: ids, candidates: metrics, dataFingerprint: fingerprint, notes: notes)
            }
            var files: [String: Data] = [:], hyper: [String: [String: String]] = [:]
            for component in decision.components {
                let fitted = try catalog.fit(component, inputs: usable, horizon: configuration.horizon, levels: configuration.levels)
                files.merge(fitted.files) { a, _ in a }
                hyper[component] = fitted.hyperParameters
                notes += fitted.diagnostics.prefix(20).map { "\(component): \($0)" }
            }
            let tables = runs.tables(of: decision.components)
            let artifact = try ModelArtifact(
                kind: decision.winner, hyperParameters: Self.json(ManifestHyperParameters(
                    components: decision.components, parameters: hyper, levels: configuration.levels,
                    horizon: configuration.horizon, rule: decision.rule, weights: decision.rule == .weighted ? decision.weights : nil,
                    seasons: Dictionary(usable.map { ($0.series.id, $0.season ?? 1) },
                                                                        uniquingKeysWith: { a, _ in a }),
                    bounds: configuration.bounds.isUnbounded ? nil : configuration.bounds)),
                featureSchema: features == nil ? featureSchema(trainingGroup) : schema,
                trainingWindow: usable.max { $0.series.count < $1.series.count }?.series.grid,
                dataFingerprint: fingerprint, backtestMetrics: Self.json(ManifestBacktest(
                    configuration: configuration.backtest, originStride: configuration.originStride,
                    calibrationSchedule: calibration.schedule, candidates: metrics)),
                calibration: Self.json(tables), selection: Self.json(decision), files: files)
            let version = try publisher.publish(group: group.name, artifact: artifact)
            var outcome = GroupOutcome(group: group.name, status: .trained, series: ids, candidates: metrics, selection: decision,
                                       version: version, dataFingerprint: fingerprint, notes: notes)
            outcome.heldOutCoverage = runs.heldOut(of: decision, calibration: calibration, horizon: configuration.horizon)
            outcome.evaluation = Self.evaluation(group.name, backtests: backtests, candidates: evaluations,
                                                 decision: decision, method: configuration.calibrationMethod,
                                                 version: version, notes: notes)
            return outcome
        } catch {
            return GroupOutcome(group: group.name, status: .failed, reason: "\(error)", series: ids,
                                dataFingerprint: fingerprint, notes: notes)
        }
    }

    /// A group ready for its backtest: features attached, series too short left out.
    struct Prepared {
        var usable: [ForecastInput]
        var schema: FeatureSchema?
        var notes: [String]
    }

    enum Preparation {
        case ready(Prepared)
        /// Skipped or failed before the backtest.
        case finished(GroupOutcome)
    }

    /// The group with its features attached and the series the backtest can use; a `.skipped`
    /// or `.failed` outcome when none can be.
    func prepare(_ group: TrainingGroup, configuration: TrainingConfiguration) -> Preparation {
        let ids = group.inputs.map(\.series.id)
        var group = group
        var schema: FeatureSchema?
        if let features {
            do {
                (group, schema) = try features.attach(to: group)
            } catch {
                return .finished(GroupOutcome(group: group.name, status: .failed, reason: "features: \(error)", series: ids))
            }
        }
        let required = configuration.requiredLength
        var notes: [String] = []
        let usable = group.inputs.filter { input in
            let observed = input.series.values.count { $0.isFinite }
            if input.series.count < required || observed < 2 {
                notes.append("\(input.series.id): skipped, \(input.series.count) points (\(observed) observed); "
                             + "the backtest needs \(required)")
                return false
            }
            return true
        }
        guard !usable.isEmpty else {
            let longest = group.inputs.map(\.series.count).max() ?? 0
            return .finished(GroupOutcome(group: group.name, status: .skipped,
                                reason: "too little data: the longest series has \(longest) points, the backtest needs \(required) "
                                    + "(\(configuration.folds) folds × stride \(configuration.backtest.stride), horizon \(configuration.horizon), "
                                    + "min_train \(configuration.backtest.minimumTrainingLength))",
                                series: ids, notes: notes))
        }
        return .ready(Prepared(usable: usable, schema: schema, notes: notes))
    }

    /// The HTML report's view of a trained group: the engines' raw backtests (fan charts, PIT,
    /// reliability), coverage before and after calibration, and the pipeline's own choice.
    static func evaluation(_ group: String, backtests: [BacktestReport], candidates: [CandidateEvaluation],
                           decision: SelectionDecision, method: CalibrationMethod, version: String,
                           notes: [String]) -> GroupEvaluation {
        var e = GroupEvaluation(group: group, backtests: backtests)
        let crps = decision.crps.sorted { $0.key < $1.key }.map { String(format: "%@ %.4g", $0.key, $0.value) }
        var reason = "lowest calibrated CRPS (\(crps.joined(separator: ", "))"
        let combos = (decision.combinations ?? [:]).sorted { $0.key < $1.key }.map { String(format: "%@ %.4g", $0.key, $0.value) }
        if !combos.isEmpty { reason += "; combinations: " + combos.joined(separator: ", ") }
        reason += ")"
        if let rule = decision.rule, let weights = decision.weights {
            let label = rule == .median ? "share of the median" : "weights"
            reason += "; combination (\(rule.rawValue)) \(label): "
                + decision.components.map { String(format: "%@ %.3f", $0, weights[$0] ?? 0) }.joined(separator: ", ")
        }
        if let dm = decision.dieboldMariano {
            reason += String(format: "; Diebold–Mariano vs seasonal naive %.3f, p = %.3g", dm.statistic, dm.pValue)
        }
        e.selection = ModelSelection(model: decision.winner, reason: reason)
        // Before and after are the same held-out forecasts, raw and corrected by tables fitted on earlier origins.
        e.calibration = candidates.compactMap { c in
            if let h = c.heldOut {
                return CalibrationCoverage(model: c.name, method: method.rawValue, before: HeldOutCoverage.dictionary(h.raw),
                                           after: HeldOutCoverage.dictionary(h.calibrated), heldOut: h)
            }
            guard let before = c.rawSummary?.coverage, let after = c.calibratedSummary?.coverage else { return nil }
            return CalibrationCoverage(model: c.name, method: method.rawValue, before: before, after: after)
        }
        e.versions = [VersionRecord(id: version, isCurrent: true, model: decision.winner, note: "published by psm train")]
        e.notes += notes.prefix(20)
        return e
    }

    static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }
}

/// The manifest's `hyper_parameters` section.
struct ManifestHyperParameters: Codable {
    var components: [String]
    var parameters: [String: [String: String]]
    var levels: [Double]
    var horizon: Int
    /// A combination's rule (absent: the equal-weight mean, as before rules existed).
    var rule: CombinationRule?
    /// The weighted rule's weight per component.
    var weights: [String: Double]?
    var seasons: [String: Int]
    /// The support the scorer clips every forecast into (absent: none, as before it existed).
    var bounds: SupportBounds?
}

/// The manifest's `backtest_metrics` section.
struct ManifestBacktest: Codable {
    var configuration: BacktestConfiguration
    /// Steps between the rolling backtest's origins, and the held-out protocol of calibration.
    var originStride: Int?
    var calibrationSchedule: CalibrationSchedule?
    var candidates: [GroupOutcome.CandidateMetrics]
}
