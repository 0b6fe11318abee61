import Calibration
import Evaluation
import Forecasting
import Foundation
import TimeSeries

/// Every candidate's rolling backtest over some series, calibrated: what `psm train` selects
/// from for a group (`GroupTrainer`) and `psm forecast --model auto` for each series
/// (`AutoForecaster`). A candidate whose backtest fails is left out with a note.
struct CandidateRuns {
    var evaluations: [CandidateEvaluation] = []
    var backtests: [BacktestReport] = []
    var notes: [String] = []
    /// Per candidate and step: the largest |actual − median| of any backtest forecast (every
    /// origin, raw), in the data's units. `AutoForecaster` bounds its calibrated intervals by it.
    var largestErrors: [String: [Double]] = [:]

    init(_ names: [String], catalog: ModelCatalog, inputs: [ForecastInput], configuration: TrainingConfiguration,
         calibration: CandidateCalibration) {
        self.init(names.compactMap { catalog.rollingForecaster($0) }, inputs: inputs, configuration: configuration,
                  calibration: calibration)
        notes = names.filter { catalog.rollingForecaster($0) == nil }.map { "\($0): unknown model" } + notes
    }

    /// The backtests of `forecasters` as given (`AutoForecaster` passes ones that already hold
    /// each series' search result).
    init(_ forecasters: [any RollingForecaster], inputs: [ForecastInput], configuration: TrainingConfiguration,
         calibration: CandidateCalibration) {
        for forecaster in forecasters {
            let name = forecaster.name
            do {
                let run = try RollingBacktest.run(forecaster, inputs: inputs, configuration: configuration.backtest,
                                                  originStride: configuration.originStride)
                evaluations.append(calibration.evaluate(run, inputs: inputs))
                backtests.append(run.report)
                largestErrors[name] = Self.largestErrors(run)
            } catch {
                notes.append("\(name): backtest failed: \(error.message)")
            }
        }
    }

    /// Per step, the largest |actual − median| over every origin's raw forecast (the mean when
    /// the forecast has no 0.5 level); empty when no step was observed.
    static func largestErrors(_ run: RollingBacktestResult) -> [Double] {
        var out: [Double] = []
        for o in run.origins.joined() {
            let median = o.forecast.levels.firstIndex { abs($0 - 0.5) < 1e-9 }
            for (h, y) in o.actuals.enumerated() where y.isFinite && h < o.forecast.mean.count {
                let centre = median.map { o.forecast.quantiles[h][$0] } ?? o.forecast.mean[h]
                let e = abs(y - centre)
                guard e.isFinite else { continue }
                while out.count <= h { out.append(0) }
                out[h] = max(out[h], e)
            }
        }
        return out
    }

    /// Each candidate's scores, for the report and the manifest.
    var metrics: [GroupOutcome.CandidateMetrics] {
        evaluations.map {
            GroupOutcome.CandidateMetrics(model: $0.name, raw: $0.rawSummary, calibrated: $0.calibratedSummary,
                                          series: $0.seriesSummaries,
                                          heldOutCoverage: $0.heldOut, diagnostics: Array($0.diagnostics.prefix(20)))
        }
    }

    /// The published calibration table of each of `components` that has one.
    func tables(of components: [String]) -> [String: CalibrationTable] {
        Dictionary(evaluations.filter { components.contains($0.name) }.compactMap { e in e.table.map { (e.name, $0) } },
                   uniquingKeysWith: { a, _ in a })
    }

    /// The held-out coverage of what `decision` publishes: the winner's, or that of its
    /// combination of calibrated members (weighted ones with the weights of earlier origins).
    func heldOut(of decision: SelectionDecision, calibration: CandidateCalibration, horizon: Int) -> HeldOutCoverage? {
        let parts = decision.components.compactMap { name in evaluations.first { $0.name == name } }
        guard parts.count > 1 else { return parts.first?.heldOut }
        var keys = Set(parts[0].calibrated.forecasts.keys)
        for p in parts.dropFirst() { keys.formIntersection(p.calibrated.forecasts.keys) }
        let rolling = RollingWeights(parts.map(\.calibrated), keys: keys.sorted(), horizon: horizon)
        return calibration.combinedHeldOut(parts, rule: decision.rule ?? .mean, weights: rolling.weights(before:))
    }
}
