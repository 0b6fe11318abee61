import Calibration
import Evaluation
import Features
import Forecasting
import Foundation
import TimeSeries

/// `psm forecast --model auto` and `--model combination`: per series, the training job's own
/// selection (`CandidateRuns` → `Selection.choose`: rolling-origin backtest, calibration,
/// calibrated CRPS, combinations as candidates), then each chosen member fitted on the whole
/// series, calibrated by its backtest's table and combined as the actuator's scorer combines a
/// published model. `combination` forces the combination of every member by `rule`.
public struct AutoForecaster: Forecaster {
    /// The members `auto` chooses among: the per-series engines. The LSTM is a global model
    /// trained across a group and far slower; it joins through `candidates`.
    public static let defaultCandidates = ["seasonal-naive", "arima", "ets", "theta"]

    public let name: String
    public var candidates: [String]
    /// nil: select (a single model or a combination); set: always that combination.
    public var force: CombinationRule?
    /// The support every forecast is clipped into, in the backtest and at the end.
    public var bounds: SupportBounds
    /// Folds of the per-series backtest (fewer when a series is too short for them).
    public var folds = 3
    public var jobs: Int
    public var catalog: ModelCatalog

    public init(combination rule: CombinationRule? = nil, candidates: [String] = AutoForecaster.defaultCandidates,
                bounds: SupportBounds = .unbounded, jobs: Int = 1, catalog: ModelCatalog = ModelCatalog(lstm: TrainingConfiguration.defaultLSTM)) {
        name = rule == nil ? "auto" : "combination"
        force = rule
        self.candidates = candidates
        self.bounds = bounds
        self.jobs = jobs
        self.catalog = catalog
    }

    /// One series' forecast and the decision behind it (nil when no backtest could be run).
    public struct Choice: Sendable {
        public var forecast: SeriesForecast
        public var decision: SelectionDecision?
    }

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try choose(inputs, horizon: horizon, levels: levels).map(\.forecast)
    }

    public func choose(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [Choice] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        return concurrentMap(inputs, jobs: jobs) { choose($0, horizon: horizon, levels: levels) }
    }

    /// The backtest settings for a series of `length` points: `psm train`'s defaults with the
    /// request's horizon, levels and bounds, and as many of `folds` as the series holds.
    func configuration(length: Int, horizon: Int, levels: [Double]) -> TrainingConfiguration? {
        var c = TrainingConfiguration(sources: [], horizon: horizon)
        c.levels = levels
        c.bounds = bounds
        c.candidates = candidates
        for f in stride(from: folds, through: 1, by: -1) {
            c.folds = f
            if length >= c.requiredLength { return c }
        }
        return nil
    }

    func choose(_ input: ForecastInput, horizon: Int, levels: [Double]) -> Choice {
        let id = input.series.id
        let n = input.series.count
        var notes: [String] = []
        let members = [Selection.baseline] + candidates.filter { $0 != Selection.baseline }
        var decision: SelectionDecision?
        var tables: [String: CalibrationTable] = [:]
        let history = ForecastInput(series: input.series, season: input.season, regressors: input.regressors?.prefix(rows: n))
        if let c = configuration(length: n, horizon: horizon, levels: levels), input.series.values.count(where: \.isFinite) >= 2 {
            do {
                let calibration = CandidateCalibration(method: c.calibrationMethod, minimumSamples: c.calibrationMinimumSamples,
                                                       schedule: try c.calibrationSchedule())
                let runs = CandidateRuns(members, catalog: catalog, inputs: [history], configuration: c, calibration: calibration)
                notes += runs.notes
                decision = Selection.choose(runs.evaluations.map(\.calibrated), horizon: horizon, force: force)
                if let decision { tables = runs.tables(of: decision.components) }
            } catch {
                notes.append("\(name): backtest not run: \(error)")
            }
        }
        // Without a backtest (too short, or nothing scored): the median of the members, unweighted.
        let components = decision?.components ?? members
        let rule = decision?.rule ?? (decision == nil ? (members.count >= 3 ? .median : .mean) : nil)
        if decision == nil {
            notes.append("\(name): \(n) points are too few for a rolling-origin backtest of horizon \(horizon): "
                         + "\(rule?.rawValue ?? "mean") of \(components.joined(separator: ", ")), unweighted")
        }
        var parts: [ForecastDistribution] = [], used: [String] = [], modelNames: [String] = [], outliers: [Int64] = []
        for component in components {
            guard let forecaster = catalog.forecaster(component) else { continue }
            let result: SeriesForecast
            do throws(ForecastError) {
                guard let r = try forecaster.forecast([input], horizon: horizon, levels: levels).first else { continue }
                result = r
            } catch {
                notes.append("\(component): \(error.message)")
                continue
            }
            notes += result.diagnostics.map { "\(component): \($0)" }
            guard case .success(var d) = result.result else {
                if case .failure(let e) = result.result { notes.append("\(component): no forecast: \(e.message)") }
                continue
            }
            d.clamp(to: bounds)
            if let table = tables[component] {
                d = table.apply(to: d)
                d.clamp(to: bounds)
            }
            guard d.quantiles.allSatisfy({ $0.allSatisfy(\.isFinite) }), d.mean.allSatisfy(\.isFinite) else {
                notes.append("\(component): non-finite forecast: left out")
                continue
            }
            parts.append(d)
            used.append(component)
            modelNames.append(result.model)
            outliers += result.originOutliers
        }
        guard !parts.isEmpty else {
            return Choice(forecast: SeriesForecast(seriesID: id, result: .failure(ForecastError(.numericalFailure,
                "no member (\(components.joined(separator: ", "))) produced a finite forecast")), model: name, diagnostics: notes),
                          decision: decision)
        }
        var weights: [Double]?
        if rule == .weighted, let w = decision?.weights {
            weights = used.map { w[$0] ?? 0 }
            let total = weights?.reduce(0, +) ?? 0
            weights = total > 0 ? weights?.map { $0 / total } : nil
        }
        if used.count < components.count { notes.append("\(name): combined \(used.joined(separator: ", ")) only") }
        let result: Result<ForecastDistribution, ForecastError>
        if parts.count == 1 {
            result = .success(parts[0])
        } else {
            do throws(ForecastError) {
                result = .success(try QuantileCombination.combine(parts, rule: rule ?? .mean, weights: weights))
            } catch {
                result = .failure(error)
            }
        }
        let carried = parts.count < 2 ? nil : rule == .median ? QuantileCombination.medianShares(parts)
            : weights ?? used.map { _ in 1 / Double(used.count) }
        notes.insert(Self.summary(decision, used: used, rule: parts.count > 1 ? rule : nil, carried: carried), at: 0)
        let model = parts.count == 1 ? modelNames[0]
            : "combination[\((rule ?? .mean).rawValue)](" + modelNames.joined(separator: ", ") + ")"
        return Choice(forecast: SeriesForecast(seriesID: id, result: result, model: model, diagnostics: notes,
                                               originOutliers: Array(Set(outliers)).sorted()),
                      decision: decision)
    }

    /// The per-series line: what was chosen, which members carry weight, and the scores.
    /// `carried`: each used member's weight, or for the median its share of this forecast's quantiles.
    static func summary(_ decision: SelectionDecision?, used: [String], rule: CombinationRule?, carried: [Double]?) -> String {
        var line: String
        if let rule, let shares = carried {
            let label = rule == .median ? "share of the median" : "weights"
            line = "combination (\(rule.rawValue)), \(label): "
                + zip(used, shares).map { String(format: "%@ %.3f", $0, $1) }.joined(separator: ", ")
        } else {
            line = "chose \(used.first ?? "-")"
        }
        if let decision {
            let scores = decision.crps.sorted { $0.key < $1.key }.map { String(format: "%@ %.4g", $0.key, $0.value) }
            let combos = (decision.combinations ?? [:]).sorted { $0.key < $1.key }.map { String(format: "%@ %.4g", $0.key, $0.value) }
            line += "; calibrated CRPS " + (scores + combos.map { "combination-" + $0 }).joined(separator: ", ")
        }
        return line
    }
}
