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

    init(_ names: [String], catalog: ModelCatalog, inputs: [ForecastInput], configuration: TrainingConfiguration,
         calibration: CandidateCalibration) {
        for name in names {
            guard let forecaster = catalog.rollingForecaster(name) else { notes.append("\(name): unknown model"); continue }
            do {
                let run = try RollingBacktest.run(forecaster, inputs: inputs, configuration: configuration.backtest,
                                                  originStride: configuration.originStride)
                evaluations.append(calibration.evaluate(run, inputs: inputs))
                backtests.append(run.report)
            } catch {
                notes.append("\(name): backtest failed: \(error.message)")
            }
        }
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
