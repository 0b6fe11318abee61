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

    @Argument(help: "CSV files or directories of them.") var paths: [String]

    @OptionGroup var input: InputOptions

    @Flag(help: "Print JSON (one object per series) instead of a table.") var json = false

    @Option(help: "Print at most this many diagnostics of each kind per file on stderr.") var diagnostics = 1

    func run() throws {
        let (profiles, failures) = SeriesProfile.inspect(files: try csvFiles(in: paths), options: try input.ingestOptions(),
                                                         maxDiagnostics: diagnostics, note: printError)
        failures.forEach { printError("psm inspect: \($0)") }
        print(json ? try jsonText(profiles) : SeriesProfile.table(profiles))
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
