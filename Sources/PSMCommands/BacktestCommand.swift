import ArgumentParser
import Evaluation
import Forecasting
import Foundation
import ModelRegistry
import Pipeline
import TimeSeries

/// `psm backtest`: rolling-origin evaluation of a model on every series of a file.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Rolling-origin evaluation: MASE, sMAPE, CRPS, interval coverage and MSIS.",
        discussion: """
        The last fold's test window is the last --horizon steps of each series; earlier folds \
        start --stride steps apart (default: the horizon). At each origin the model sees only \
        the data before it. MASE and MSIS are scaled by the in-sample seasonal-naive MAE of the \
        fold's training part; intervals are the central 80, 90, 95 and 99 % ones.
        """)

    @Option(help: "Input CSV (long, wide or NAB).")
    var input: String

    @Option(help: "Steps forecast from each origin.")
    var horizon: Int

    @Option(help: "Seasonal period in steps.")
    var season: Int?

    @Option(help: "Forecasting model: \(ForecasterCatalog.names.joined(separator: ", ")).")
    var model = "seasonal-naive"

    @Option(help: "Number of origins.")
    var folds = 3

    @Option(help: "Steps between origins (default: the horizon).")
    var stride: Int?

    @Option(help: "Calendar/events TOML file: holidays and events become regressors.")
    var calendar: String?

    @Option(help: "Also write the whole report (per series, per fold, overall) as JSON to this file.")
    var json: String?

    @OptionGroup var inputOptions: InputOptions

    @OptionGroup(title: "Support") var support: BoundsOptions

    @Option(help: "Series fitted in parallel by per-series models (arima); default: the number of cores.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "LSTM") var lstm: LSTMOptions

    func validate() throws {
        try require(horizon, in: Limits.horizon, "--horizon")
        try require(folds, in: Limits.folds, "--folds")
        if let stride { try require(stride, in: Limits.stride, "--stride") }
        if let season { try require(season, in: Limits.season, "--season") }
        try require(jobs, in: Limits.jobs, "--jobs")
    }

    func run() throws {
        let forecaster = try ForecasterCatalog.make(model, lstm: lstm, jobs: jobs)
        let loaded = try ModelInputs.load(files: [input], options: try inputOptions.ingestOptions(), season: season,
                                          calendarPath: calendar, futureSteps: 0, maxDiagnostics: 1)
        loaded.notes.forEach(printError)
        printError("psm backtest: \(loaded.inputs.count) series with \(forecaster.name), \(folds) folds of \(horizon) steps…")
        let started = Date()
        let report: BacktestReport
        do {
            report = try Backtest.run(forecaster, inputs: loaded.inputs,
                                      configuration: BacktestConfiguration(horizon: horizon, folds: folds, stride: stride,
                                                                           bounds: support.bounds))
        } catch {
            throw ValidationError(error.message)
        }
        for s in report.series { s.diagnostics.forEach { printError("\(s.seriesID): \($0)") } }
        print(Self.table(report))
        printError(String(format: "psm backtest: done in %.2f s", Date().timeIntervalSince(started)))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(report), to: json)
        }
        if report.overall == nil {
            printError("psm backtest: no series could be scored")
            throw ExitCode(1)
        }
    }

    static func table(_ report: BacktestReport) -> String {
        let header = ["series", "folds", "MASE", "sMAPE", "CRPS", "cov80", "cov90", "cov95", "MSIS95"]
        func cells(_ name: String, _ folds: String, _ m: MetricSummary?) -> [String] {
            guard let m else { return [name, folds, "-", "-", "-", "-", "-", "-", "-"] }
            func pct(_ key: String) -> String { m.coverage[key].map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
            return [name, folds, m.mase.map(Formatting.number) ?? "-", Formatting.number(m.smape),
                    Formatting.number(m.crps), pct("0.8"), pct("0.9"), pct("0.95"),
                    m.msis["0.95"].map(Formatting.number) ?? "-"]
        }
        let rows = report.series.map { cells($0.seriesID, String($0.folds.count), $0.summary) }
            + [cells("overall (\(report.model))", String(report.series.reduce(0) { $0 + $1.folds.count }), report.overall)]
        return Formatting.table(header: header, rows: rows)
    }
}
