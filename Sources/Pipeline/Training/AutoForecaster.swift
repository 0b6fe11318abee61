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
package struct AutoForecaster: Forecaster {
    /// The members `auto` chooses among: the per-series engines. The LSTM is a global model
    /// trained across a group and far slower; it joins through `candidates`.
    package static let defaultCandidates = ["seasonal-naive", "arima", "ets", "theta"]

    package let name: String
    package var candidates: [String]
    /// nil: select (a single model or a combination); set: always that combination.
    package var force: CombinationRule?
    /// The support every forecast is clipped into, in the backtest and at the end.
    package var bounds: SupportBounds
    /// Folds of the per-series backtest (fewer when a series is too short for them).
    package var folds = 3
    package var jobs: Int
    package var catalog: ModelCatalog

    package init(combination rule: CombinationRule? = nil, candidates: [String] = AutoForecaster.defaultCandidates,
                bounds: SupportBounds = .unbounded, jobs: Int = 1, catalog: ModelCatalog = ModelCatalog(lstm: TrainingConfiguration.defaultLSTM)) {
        name = rule == nil ? "auto" : "combination"
        force = rule
        self.candidates = candidates
        self.bounds = bounds
        self.jobs = jobs
        self.catalog = catalog
    }

    /// One series' forecast and the decision behind it (nil when no backtest could be run).
    package struct Choice: Sendable {
        package var forecast: SeriesForecast
        package var decision: SelectionDecision?
    }

    package func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try choose(inputs, horizon: horizon, levels: levels).map(\.forecast)
    }

    package func choose(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [Choice] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        return parallelMap(inputs, jobs: jobs) { choose($0, horizon: horizon, levels: levels) }
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
        var tables: [String: CalibrationTable] = [:], largestErrors: [String: [Double]] = [:]
        let history = ForecastInput(series: input.series, season: input.season, regressors: input.regressors?.prefix(rows: n))
        // Each member fitted once on the full history first (the published forecast); its search
        // result (ETS specification, ARIMA order) is kept by the rolling forecaster, whose
        // backtest folds then re-estimate parameters only. Not with regressors (ARIMA would need
        // their future rows here) nor for the LSTM: those are fitted again after the backtest.
        let forecasters = Self.rollingForecasters(members, catalog: catalog)
        var full: [String: RollingFit] = [:]
        if input.regressors == nil {
            for f in forecasters where f.name != "lstm" {
                do throws(ForecastError) {
                    if let fit = try f.fit([history], horizon: horizon, levels: levels).first { full[f.name] = fit }
                } catch {
                    notes.append("\(f.name): \(error.message)")
                }
            }
        }
        if let c = configuration(length: n, horizon: horizon, levels: levels), input.series.values.count(where: \.isFinite) >= 2 {
            do {
                let calibration = CandidateCalibration(method: c.calibrationMethod, minimumSamples: c.calibrationMinimumSamples,
                                                       schedule: try c.calibrationSchedule())
                let runs = CandidateRuns(forecasters, inputs: [history], configuration: c, calibration: calibration)
                notes += runs.notes
                decision = Selection.choose(runs.evaluations.map(\.calibrated), horizon: horizon, force: force)
                if let decision { tables = runs.tables(of: decision.components) }
                largestErrors = runs.largestErrors
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
            let result: SeriesForecast
            do throws(ForecastError) {
                if let fit = full[component] {
                    result = Self.forecast(fit, series: input.series, horizon: horizon, levels: levels)
                } else {
                    guard let forecaster = catalog.forecaster(component),
                          let r = try forecaster.forecast([input], horizon: horizon, levels: levels).first else { continue }
                    result = r
                }
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
                let raw = d
                d = table.apply(to: d)
                if let errors = largestErrors[component] { Self.bound(&d, raw: raw, errors: errors) }
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

    /// Keeps a calibrated forecast within what the backtest saw: each quantile at most the largest
    /// backtest error of its step away from the raw median (or where the raw forecast already
    /// put it, if farther). The tables correct in units of each forecast's own spread, learnt on
    /// the folds' models; when the published model's spread is much wider than theirs (a level
    /// shift inside the backtest inflates the full-history fit's variance, and the same shift
    /// inflated the folds' errors), the two widenings multiply: rds_cpu_utilization_cc0c53's 97.5 %
    /// quantile reached 478 % CPU over a level of 15 (docs/benchmarks.md). In data units a
    /// conformal quantile can never exceed the largest error it was fitted on.
    static func bound(_ d: inout ForecastDistribution, raw: ForecastDistribution, errors: [Double]) {
        guard let median = raw.levels.firstIndex(where: { abs($0 - 0.5) < 1e-9 }) else { return }
        for h in d.quantiles.indices where h < errors.count && h < raw.quantiles.count {
            let centre = raw.quantiles[h][median], e = errors[h]
            guard centre.isFinite, e.isFinite else { continue }
            for k in d.quantiles[h].indices {
                let lower = min(raw.quantiles[h][k], centre - e), upper = max(raw.quantiles[h][k], centre + e)
                d.quantiles[h][k] = min(max(d.quantiles[h][k], lower), upper)
            }
        }
    }

    /// The members' rolling forecasters, ARIMA's keeping the order its first search chose.
    static func rollingForecasters(_ names: [String], catalog: ModelCatalog) -> [any RollingForecaster] {
        names.compactMap { name in
            guard var arima = catalog.rollingForecaster(name) as? RollingARIMA else { return catalog.rollingForecaster(name) }
            arima.orders = ModelMemo()
            return arima
        }
    }

    /// The forecast of a member fitted on the whole series, as its batch forecaster reports it.
    static func forecast(_ fit: RollingFit, series: Series, horizon: Int, levels: [Double]) -> SeriesForecast {
        switch fit.model {
        case .success(let model):
            let outliers = model.originOutlierPoints
            do throws(ForecastError) {
                let d = try model.forecast(horizon: horizon, levels: levels, futureRegressors: nil)
                return SeriesForecast(seriesID: series.id, result: .success(d), model: fit.name,
                                      diagnostics: fit.diagnostics + OriginScreen.note(outliers, axis: series.grid.axis),
                                      originOutliers: outliers.map(\.position))
            } catch {
                return SeriesForecast(seriesID: series.id, result: .failure(error), model: fit.name, diagnostics: fit.diagnostics)
            }
        case .failure(let error):
            return SeriesForecast(seriesID: series.id, result: .failure(error), model: fit.name, diagnostics: fit.diagnostics)
        }
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
