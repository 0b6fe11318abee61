import ArgumentParser
import Foundation
import Ingest
import TimeSeries

/// `psm inspect`: what is in a set of metric files, series by series.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise every series in CSV files or directories.",
        discussion: """
        For each series: its length, grid step, span, missing steps (and in how many runs), \
        min/mean/max of the observed values and the strongest seasonal period found in its \
        autocorrelation (`-` when there is none). Rejected rows are reported on stderr as \
        file:line. Directories are searched recursively for *.csv files. A file that cannot be \
        read at all is reported and the others are still inspected; the exit code is then 1.
        """)

    @Argument(help: "CSV files or directories of them.")
    var paths: [String]

    @OptionGroup var input: InputOptions

    @Flag(help: "Print JSON (one object per series) instead of a table.")
    var json = false

    @Option(help: "Print at most this many diagnostics of each kind per file on stderr.")
    var diagnostics = 1

    func run() throws {
        let (profiles, failures) = Self.inspect(files: try csvFiles(in: paths), options: try input.ingestOptions(),
                                                 maxDiagnostics: diagnostics)
        failures.forEach { printError("psm inspect: \($0)") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(profiles), as: UTF8.self))
        } else {
            print(Self.table(profiles))
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// Profiles every series of every file; files that cannot be read are returned as messages.
    /// Up to `maxDiagnostics` warnings per file go to stderr.
    static func inspect(files: [String], options: IngestOptions, maxDiagnostics: Int) -> ([SeriesProfile], [String]) {
        var profiles: [SeriesProfile] = [], failures: [String] = []
        for file in files {
            do {
                let result = try IngestReader.read(path: file, options: options)
                summarize(result.diagnostics, file: file, perCode: maxDiagnostics).forEach(printError)
                profiles += result.series.map { SeriesProfile(file: file, series: $0) }
            } catch {
                failures.append("\(error)")
            }
        }
        return (profiles, failures)
    }

    static func table(_ profiles: [SeriesProfile]) -> String {
        let header = ["series", "points", "step", "first", "span", "missing", "gaps", "min", "mean", "max", "season"]
        let rows = profiles.map { p -> [String] in
            [p.series, String(p.points), Formatting.span(p.step, axis: p.axis),
             Formatting.position(p.first, axis: p.axis), Formatting.span(p.last - p.first, axis: p.axis),
             String(p.missing), String(p.gapRuns),
             p.min.map(Formatting.number) ?? "-", p.mean.map(Formatting.number) ?? "-",
             p.max.map(Formatting.number) ?? "-", p.seasonText]
        }
        return Formatting.table(header: header, rows: rows)
    }
}
