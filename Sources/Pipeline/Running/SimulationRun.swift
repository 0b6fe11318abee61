import Foundation
import Ingest
import ModelRegistry
import Simulation
import TimeSeries

/// `psm simulate` once its arguments are read: the trace read and validated (`SimulationInputs`),
/// every group replayed through the chosen policies, progress and per-group problems told to
/// `note` as they come, the table returned and the JSON and HTML pages written atomically.
package struct SimulationRun {
    package var trace: String
    package var options: IngestOptions
    package var series: String?
    package var jobs: Int
    package var plotGroups: Int
    /// Reader warnings printed in full per kind of problem.
    package var perCode: Int

    package init(trace: String, options: IngestOptions, series: String?, jobs: Int, plotGroups: Int, perCode: Int) {
        self.trace = trace
        self.options = options
        self.series = series
        self.jobs = jobs
        self.plotGroups = plotGroups
        self.perCode = perCode
    }

    /// Input problems throw `InputsError`; a simulation that cannot run throws `SimulationError`.
    package func run(_ simulator: Simulator, json: String?, html: String?,
                     note: @escaping @Sendable (String) -> Void) throws -> SimulationReport {
        for s in simulator.sweeps where !simulator.policies.contains(s.parameter.policy) {
            note("psm simulate: --sweep \(s.parameter.rawValue) changes only the \(s.parameter.policy.rawValue) policy, which is not simulated")
        }
        let traces = try SimulationInputs.load(trace: trace, options: options, series: series,
                                               indexInterval: simulator.parameters.indexInterval, perCode: perCode, note: note)
        note("psm simulate: \(traces.count) group\(traces.count == 1 ? "" : "s"), policies "
             + simulator.policies.map(\.rawValue).joined(separator: ", ") + "…")
        let started = Date()
        let every = max(1, traces.count / 20)
        let report = try simulator.run(traces, jobs: jobs, plotGroups: plotGroups) { done, total in
            if done % every == 0 || done == total { note("psm simulate: \(done)/\(total) groups") }
        }
        report.skipped.forEach { note("psm simulate: skipped \($0)") }
        for g in report.groups where g.failedFits > 0 || !g.diagnostics.isEmpty {
            note("psm simulate: \(g.group): \(g.failedFits) of \(g.fits) fits failed; \(g.diagnostics.first ?? "")")
        }
        note(String(format: "psm simulate: done in %.2f s", Date().timeIntervalSince(started)))
        if let json { try AtomicFile.write(try report.json(trace: trace), to: json) }
        if let html { try AtomicFile.write(Data(report.html(trace: trace).utf8), to: html) }
        return report
    }
}
