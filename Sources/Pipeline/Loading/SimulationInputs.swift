import Foundation
import Ingest
import Simulation
import TimeSeries

/// `psm simulate`'s trace file → the groups the simulator replays: read through Ingest, reader
/// warnings condensed, optionally narrowed to some series ids, each series validated as a
/// `GroupTrace` (a repeated id takes its metric as a suffix).
package enum SimulationInputs {
    /// `note` receives the reader's warnings (at most `perCode` in full per kind) and remarks as
    /// they come, so that they are seen even when the trace is then refused (`InputsError`).
    package static func load(trace: String, options: IngestOptions, series: String?, indexInterval: Double,
                            perCode: Int, note: (String) -> Void) throws -> [GroupTrace] {
        let result: IngestResult
        do { result = try IngestReader.read(path: trace, options: options) } catch {
            throw InputsError("\(error)")
        }
        summarize(result.diagnostics, file: trace, perCode: perCode).forEach(note)
        guard !result.series.isEmpty else {
            throw InputsError("\(trace): no series to simulate (every series was skipped; see the warnings above)")
        }
        var chosen = result.series
        if let series {
            let wanted = series.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let ids = Set(result.series.map(\.id))
            if let unknown = wanted.first(where: { !ids.contains($0) }) {
                throw InputsError("--series: \"\(unknown)\" is not in \(trace); it has "
                                  + result.series.prefix(10).map(\.id).joined(separator: ", ")
                                  + (result.series.count > 10 ? ", …" : ""))
            }
            chosen = result.series.filter { wanted.contains($0.id) }
        }
        var seen = Set<String>()
        var traces: [GroupTrace] = []
        for series in chosen {
            var s = series
            if !seen.insert(s.id).inserted, let metric = s.metric { s.id += "/" + metric }
            do { traces.append(try GroupTrace(series: s, indexInterval: indexInterval)) } catch {
                throw InputsError("\(trace): \(error.message)")
            }
        }
        if traces.contains(where: { $0.grid.axis == .index }) {
            note("psm simulate: integer-indexed trace: each step is taken as \(DurationText.describe(indexInterval)) (--interval)")
        }
        return traces
    }
}
