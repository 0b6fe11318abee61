import ArgumentParser
import Foundation
import ModelRegistry
import Ingest
import Pipeline
import Simulation
import TimeSeries

/// `psm simulate`: replays recorded demand through reactive, predictive-buffer and shadow scaling.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay recorded demand through scaling policies: unserved demand, SLO violations, time to capacity, cost.",
        discussion: """
        The trace is a long CSV (or NAB / wide, see --format): each series is a VM group, its value \
        the group's demand in capacity units per interval. Every policy sees the same demand, the \
        same walk-forward forecasts (fitted on the training window before each refit, never on \
        later data) and the same cost and delay model. The first training window of each group is \
        history only; results cover the intervals after it. Durations take a unit: 43ms, 8s, 5m, 12h, 3d. \
        docs/simulation.md describes the policies and the accounting.
        """)

    @Option(help: "Demand trace (long CSV: series_id = VM group, value = demand in capacity units).") var trace: String

    @Option(help: ArgumentHelp("Simulate only these series (comma-separated ids, e.g. a wide file's FILE/COLUMN); default: all.",
                               valueName: "ids"))
    var series: String?

    @Option(help: ArgumentHelp("reactive, predictive-buffer, shadow or all (a comma-separated list works too).", valueName: "policy"))
    var policy = "all"

    @Option(help: "Write the results (per policy overall, per group, sweep) as JSON to this file.") var json: String?

    @Option(help: "Write a self-contained HTML page (inline SVG plots) to this file.") var html: String?

    @Option(help: ArgumentHelp("Sweep a parameter for the cost-vs-unserved frontier: tau=FROM:TO:N (shadow), buffer=FROM:TO:N "
                               + "(predictive-buffer) or target=FROM:TO:N (reactive); repeat for several.",
                               valueName: "name=from:to:n"))
    var sweep: [String] = []

    @OptionGroup(title: "Capacity") var capacity: CapacityFlags
    @OptionGroup(title: "Delays") var delays: DelayFlags
    @OptionGroup(title: "Policies") var policyFlags: PolicyFlags
    @OptionGroup(title: "Costs (per interval)") var costs: CostFlags
    @OptionGroup(title: "Forecasting (walk-forward)") var forecasting: ForecastFlags
    @OptionGroup(title: "Reading the trace") var inputOptions: InputOptions

    @Option(help: "Groups simulated in parallel (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Groups whose demand and capacity the HTML page plots.") var plotGroups = 4

    @Option(help: "Reader warnings printed in full per kind of problem (the rest are counted).") var diagnostics = 1

    func validate() throws {
        try require(jobs, in: Limits.jobs, "--jobs")
        try require(plotGroups, in: 0...1_000, "--plot-groups")
        try require(diagnostics, in: 0...1_000_000, "--diagnostics")
    }

    func parameters() throws -> SimulationParameters {
        var p = SimulationParameters()
        try capacity.apply(to: &p)
        try delays.apply(to: &p)
        try policyFlags.apply(to: &p)
        try costs.apply(to: &p)
        try forecasting.apply(to: &p)
        try p.validate()
        return p
    }

    func run() throws {
        do {
            let simulator = try Simulator(parameters: try parameters(), policies: try PolicyKind.parseList(policy),
                                          sweeps: try sweep.map(Sweep.parse))
            let run = SimulationRun(trace: trace, options: try inputOptions.ingestOptions(), series: series, jobs: jobs,
                                    plotGroups: plotGroups, perCode: diagnostics)
            print(try usageErrors { try run.run(simulator, json: json, html: html, note: { printError($0) }) }.table)
        } catch let error as SimulationError {
            throw ValidationError(error.message)
        }
    }
}

func duration(_ text: String, flag: String) throws -> Double {
    guard let s = DurationText.seconds(text) else {
        throw ValidationError("\(flag): \"\(text)\" is not a duration (e.g. 43ms, 8s, 5m, 12h, 3d)")
    }
    return s
}
