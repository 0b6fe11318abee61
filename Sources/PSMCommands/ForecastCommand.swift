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

    @Option(help: "Input CSV (long, wide or NAB).")
    var input: String

    @Option(help: "Steps to forecast.")
    var horizon: Int

    @Option(help: "Seasonal period in steps (e.g. 24 for hourly data with a daily cycle).")
    var season: Int?

    @Option(help: "Forecasting model: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var model = "seasonal-naive"

    @Option(help: "How --model combination merges its members: weighted (by inverse calibrated CRPS) or median.")
    var combinationRule = "weighted"

    @Option(help: "With --model auto or combination: write each series' selection (members, weights, CRPS) as JSON here.")
    var selection: String?

    @Option(help: "Quantile levels, comma-separated.")
    var quantiles = "0.05,0.5,0.95"

    @Option(help: "Calendar/events TOML file (docs/calendar.md): holidays and events become regressors.")
    var calendar: String?

    @Option(help: "Output CSV file.")
    var out: String

    @OptionGroup var inputOptions: InputOptions

    @OptionGroup(title: "Support") var support: BoundsOptions

    @Option(help: "Series fitted in parallel by per-series models (arima); default: the number of cores.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "LSTM") var lstm: LSTMOptions

    func validate() throws {
        try require(horizon, in: Limits.horizon, "--horizon")
        if let season { try require(season, in: Limits.season, "--season") }
        try require(jobs, in: Limits.jobs, "--jobs")
        guard ["weighted", "median"].contains(combinationRule) else {
            throw ValidationError("--combination-rule must be weighted or median, not \"\(combinationRule)\"")
        }
        if selection != nil, !["auto", "combination"].contains(model) {
            throw ValidationError("--selection needs --model auto or combination")
        }
    }

    func run() throws {
        let levels = try parseQuantiles(quantiles)
        let forecaster = try usageErrors {
            try ForecasterCatalog.make(model, lstm: lstm.configuration, jobs: jobs, bounds: support.bounds,
                                       rule: CombinationRule(rawValue: combinationRule) ?? .weighted)
        }
        let ingestOptions = try inputOptions.ingestOptions()
        let loaded = try usageErrors {
            try ModelInputs.load(files: [input], options: ingestOptions, season: season, calendarPath: calendar,
                                 futureSteps: horizon, maxDiagnostics: 1)
        }
        loaded.notes.forEach(printError)
        let started = Date()
        printError("psm forecast: \(loaded.inputs.count) series with \(forecaster.name), horizon \(horizon)…")
        let outcome: ForecastRun.Outcome
        do {
            outcome = try ForecastRun.run(forecaster, inputs: loaded.inputs, horizon: horizon, levels: levels,
                                          bounds: support.bounds, out: out, selection: selection)
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
