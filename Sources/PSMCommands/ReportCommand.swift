import ArgumentParser
import Evaluation
import Foundation
import ModelRegistry

/// `psm report`: the evaluation report (HTML, optionally JSON) from `psm backtest --json` files.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the evaluation report (one self-contained HTML file) from backtest JSON files.",
        discussion: """
        Give one --backtest file per model run on the same data (psm backtest --json). Backtests \
        of the same set of series are compared as one group: the seasonal-naive one is the \
        baseline, the model with the lowest mean CRPS is selected, and the page shows metric \
        tables, fan charts of the last fold, PIT histograms and reliability diagrams. The HTML \
        needs no network: inline CSS and SVG only.
        """)

    @Option(name: .customLong("backtest"), help: "A psm backtest --json output (repeat for several models).")
    var backtests: [String] = []

    @Option(help: "The HTML file to write.") var out: String

    @Option(help: "Also write the report's data as JSON to this file.") var json: String?

    @Option(help: "Title at the top of the page.") var title = "psm evaluation report"

    @Option(help: "Series shown as fan charts per group.") var fanCharts = 4

    @Option(help: "History steps shown before each fan chart's forecast.") var historyTail = 48

    func validate() throws {
        guard !backtests.isEmpty else { throw ValidationError("give at least one --backtest FILE.json") }
        try require(fanCharts, in: 0...1_000, "--fan-charts")
        try require(historyTail, in: 0...1_000_000, "--history-tail")
    }

    func run() throws {
        let loaded = try backtests.map { path in
            do throws(BacktestFileError) { return (path, try BacktestReport.load(path: path)) } catch { throw ValidationError(error.description) }
        }
        let report = EvaluationReport(comparing: loaded.map(\.1), title: title, createdAt: Int64(Date().timeIntervalSince1970),
                                      psmVersion: PSM.version, fanCharts: fanCharts, historyTail: historyTail)
        report.notes.forEach { printError("psm report: \($0)") }
        for g in report.groups { g.notes.forEach { printError("psm report: \(g.group): \($0)") } }
        try AtomicFile.write(Data(report.html().utf8), to: out)
        if let json { try AtomicFile.write(try report.json(), to: json) }
        printError("psm report: \(report.groups.count) group(s), \(loaded.count) backtest(s) → \(out)")
    }
}
