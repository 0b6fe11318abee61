import ArgumentParser
import Forecasting
import Foundation
import Pipeline
import TimeSeries

/// What `psm forecast` and `psm backtest` share: the input, the model and how it is fitted.
struct ModelRunOptions: ParsableArguments {
    @Option(help: "Input CSV (long, wide or NAB).") var input: String

    @Option(help: "Steps to forecast (backtest: from each origin).") var horizon: Int

    @Option(help: "Seasonal period in steps (e.g. 24 for hourly data with a daily cycle).") var season: Int?

    @Option(help: "Forecasting model: \(ForecasterCatalog.names.joined(separator: ", ")).") var model = "seasonal-naive"

    @Option(help: "Calendar/events TOML file (docs/calendar.md): holidays and events become regressors.")
    var calendar: String?

    @OptionGroup var inputOptions: InputOptions

    @OptionGroup(title: "Support") var support: BoundsOptions

    @Option(help: "Series fitted in parallel by per-series models (arima); default: the number of cores.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "LSTM") var lstm: LSTMOptions

    func validate() throws {
        try require(horizon, in: Limits.horizon, "--horizon")
        if let season { try require(season, in: Limits.season, "--season") }
        try require(jobs, in: Limits.jobs, "--jobs")
    }

    func forecaster(bounds: SupportBounds = .unbounded, rule: CombinationRule = .weighted) throws -> any Forecaster {
        try usageErrors { try ForecasterCatalog.make(model, lstm: lstm.configuration, jobs: jobs, bounds: bounds, rule: rule) }
    }

    /// Reads the input (and the calendar) into model inputs, printing the reader's notes.
    func load(futureSteps: Int) throws -> [ForecastInput] {
        let options = try inputOptions.ingestOptions()
        let loaded = try usageErrors {
            try ModelInputs.load(files: [input], options: options, season: season, calendarPath: calendar,
                                 futureSteps: futureSteps, maxDiagnostics: 1)
        }
        loaded.notes.forEach(printError)
        return loaded.inputs
    }
}
