import ArgumentParser
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import TimeSeries

/// `psm forecast`: fit each series and forecast it `--horizon` steps past its end.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Fit each series in a file and forecast it as quantiles.",
        discussion: """
        Writes the forecast CSV: series_id,step,timestamp,mean,q<level>… with one column per \
        --quantiles level, named as written; step runs 1…H; timestamp is empty for \
        integer-indexed input. Without --season the season is one day for series sampled more \
        often than daily, else the period detected in the data (see docs/configuration.md). \
        --model auto backtests seasonal naive, ARIMA, ETS and Theta on each series and forecasts \
        with the one, or the combination, of lowest calibrated CRPS; --model combination always \
        combines them (docs/models.md). Both print one line per series saying which members \
        carry weight, and --selection writes the decisions as JSON.
        """)

    @OptionGroup var common: ModelRunOptions

    @Option(help: "How --model combination merges its members: weighted (by inverse calibrated CRPS) or median.")
    var combinationRule = "weighted"

    @Option(help: "With --model auto or combination: write each series' selection (members, weights, CRPS) as JSON here.")
    var selection: String?

    @Option(help: "Quantile levels, comma-separated.") var quantiles = "0.05,0.5,0.95"

    @Option(help: "Output CSV file.") var out: String

    func validate() throws {
        guard ["weighted", "median"].contains(combinationRule) else {
            throw ValidationError("--combination-rule must be weighted or median, not \"\(combinationRule)\"")
        }
        if selection != nil, !["auto", "combination"].contains(common.model) {
            throw ValidationError("--selection needs --model auto or combination")
        }
    }

    func run() throws {
        let levels = try usageErrors { try ForecastRun.levels(quantiles) }
        let forecaster = try common.forecaster(bounds: common.support.bounds,
                                               rule: CombinationRule(rawValue: combinationRule) ?? .weighted)
        let inputs = try common.load(futureSteps: common.horizon)
        let started = Date()
        printError("psm forecast: \(inputs.count) series with \(forecaster.name), horizon \(common.horizon)…")
        let outcome: ForecastRun.Outcome
        do {
            outcome = try ForecastRun.run(forecaster, inputs: inputs, horizon: common.horizon, levels: levels,
                                          bounds: common.support.bounds, out: out, selection: selection)
        } catch let error as ForecastError {
            throw ValidationError(error.message)
        }
        outcome.notes.forEach(printError)
        let seconds = Date().timeIntervalSince(started)
        printError("psm forecast: wrote \(outcome.written) forecasts to \(out) in \(String(format: "%.2f", seconds)) s")
        if outcome.failed > 0 {
            printError("psm forecast: \(outcome.failed) of \(outcome.written + outcome.failed) series could not be forecast")
            throw ExitCode(1)
        }
    }
}
