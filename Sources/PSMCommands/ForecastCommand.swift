import ArgumentParser
import Forecasting
import Foundation
import ModelRegistry
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
        often than daily, else the period detected in the data (see docs/configuration.md).
        """)

    @Option(help: "Input CSV (long, wide or NAB).")
    var input: String

    @Option(help: "Steps to forecast.")
    var horizon: Int

    @Option(help: "Seasonal period in steps (e.g. 24 for hourly data with a daily cycle).")
    var season: Int?

    @Option(help: "Forecasting model: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var model = "seasonal-naive"

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
    }

    func run() throws {
        let levels = try parseQuantiles(quantiles)
        let forecaster = try ForecasterCatalog.make(model, lstm: lstm, jobs: jobs)
        let loaded = try ModelInputs.load(files: [input], options: try inputOptions.ingestOptions(), season: season,
                                          calendarPath: calendar, futureSteps: horizon, maxDiagnostics: 1)
        loaded.notes.forEach(printError)
        let started = Date()
        printError("psm forecast: \(loaded.inputs.count) series with \(forecaster.name), horizon \(horizon)…")
        let forecasts: [SeriesForecast]
        do { forecasts = try forecaster.forecast(loaded.inputs, horizon: horizon, levels: levels.map(\.level)) } catch {
            throw ValidationError(error.message)
        }
        var csv = "series_id,step,timestamp,mean," + levels.map(\.name).joined(separator: ",") + "\n"
        var failed = 0
        let bounds = support.bounds
        for forecast in forecasts {
            forecast.diagnostics.forEach { printError("\(forecast.seriesID): \($0)") }
            switch forecast.result {
            case .failure(let error):
                failed += 1
                printError("\(forecast.seriesID): no forecast: \(error.message)")
            case .success(var d):
                d.clamp(to: bounds)
                for h in 0..<d.horizon {
                    let time = d.grid.axis == .time ? Timestamp.format(d.grid.position(at: h)) : ""
                    let values = [d.mean[h]] + d.quantiles[h]
                    csv += "\(csvField(forecast.seriesID)),\(h + 1),\(time)," + values.map { "\($0)" }.joined(separator: ",") + "\n"
                }
            }
        }
        try AtomicFile.write(Data(csv.utf8), to: out)
        let seconds = Date().timeIntervalSince(started)
        printError("psm forecast: wrote \(forecasts.count - failed) forecasts to \(out) in \(String(format: "%.2f", seconds)) s")
        if failed > 0 {
            printError("psm forecast: \(failed) of \(forecasts.count) series could not be forecast")
            throw ExitCode(1)
        }
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
