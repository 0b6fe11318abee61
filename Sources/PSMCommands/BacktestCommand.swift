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

    @OptionGroup var common: ModelRunOptions

    @Option(help: "Number of origins.") var folds = 3

    @Option(help: "Steps between origins (default: the horizon).") var stride: Int?

    @Option(help: "Also write the whole report (per series, per fold, overall) as JSON to this file.") var json: String?

    func validate() throws {
        try require(folds, in: Limits.folds, "--folds")
        if let stride { try require(stride, in: Limits.stride, "--stride") }
    }

    func run() throws {
        let forecaster = try common.forecaster()
        let inputs = try common.load(futureSteps: 0)
        printError("psm backtest: \(inputs.count) series with \(forecaster.name), \(folds) folds of \(common.horizon) steps…")
        let started = Date()
        let report: BacktestReport
        do {
            report = try Backtest.run(forecaster, inputs: inputs,
                                      configuration: BacktestConfiguration(horizon: common.horizon, folds: folds, stride: stride,
                                                                           bounds: common.support.bounds))
        } catch {
            throw ValidationError(error.message)
        }
        for s in report.series { s.diagnostics.forEach { printError("\(s.seriesID): \($0)") } }
        print(report.table)
        printError(String(format: "psm backtest: done in %.2f s", Date().timeIntervalSince(started)))
        if let json { try AtomicFile.write(Data(try jsonText(report).utf8), to: json) }
        if report.overall == nil {
            printError("psm backtest: no series could be scored")
            throw ExitCode(1)
        }
    }
}
