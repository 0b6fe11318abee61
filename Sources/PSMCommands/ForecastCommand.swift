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
        let forecaster = try ForecasterCatalog.make(model, lstm: lstm, jobs: jobs, bounds: support.bounds,
                                                    rule: CombinationRule(rawValue: combinationRule) ?? .weighted)
        let loaded = try ModelInputs.load(files: [input], options: try inputOptions.ingestOptions(), season: season,
                                          calendarPath: calendar, futureSteps: horizon, maxDiagnostics: 1)
        loaded.notes.forEach(printError)
        let started = Date()
        printError("psm forecast: \(loaded.inputs.count) series with \(forecaster.name), horizon \(horizon)…")
        let forecasts: [SeriesForecast]
        do {
            if let auto = forecaster as? AutoForecaster {
                let choices = try auto.choose(loaded.inputs, horizon: horizon, levels: levels.map(\.level))
                forecasts = choices.map(\.forecast)
                if let selection { try Self.writeSelection(choices, to: selection) }
            } else {
                forecasts = try forecaster.forecast(loaded.inputs, horizon: horizon, levels: levels.map(\.level))
            }
        } catch let error as ForecastError {
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

extension ForecastCommand {
    /// One entry per series: the model forecasting it, the selection behind it (`SelectionDecision`:
    /// winner, rule, members' weights, calibrated CRPS per candidate and combination), or why none.
    struct SelectionEntry: Encodable {
        var series: String
        var model: String
        var selection: SelectionDecision?
        var error: String?
    }

    static func writeSelection(_ choices: [AutoForecaster.Choice], to path: String) throws {
        let entries = choices.map { c in
            var error: String?
            if case .failure(let e) = c.forecast.result { error = e.message }
            return SelectionEntry(series: c.forecast.seriesID, model: c.forecast.model, selection: c.decision, error: error)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(entries), to: path)
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
