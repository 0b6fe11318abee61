import ArgumentParser
import Foundation
import Ingest

/// `psm ingest`: metric files (and a calendar) into the SQLite MetricStore, all or nothing.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load CSV metric files and calendar events into the SQLite metric store.",
        discussion: """
        Every file is read and validated first; if any file cannot be used at all, nothing is \
        written and the command exits 1. Otherwise all series, regressor columns (stored as \
        series `<series_id>:<column>`) and events go into the store in ONE transaction: a \
        failure part-way leaves the store as it was. Re-ingesting a (series, time) replaces \
        its value. Rejected rows are reported as file:line on stderr (docs/ingest.md).
        """)

    @Argument(help: "CSV files or directories of them.") var paths: [String]

    @Option(help: "SQLite database file (created if missing; WAL mode).") var db: String

    @Option(help: "Calendar/events TOML file whose events are stored too (docs/calendar.md).") var calendar: String?

    @OptionGroup var input: InputOptions

    @Option(help: "Print at most this many diagnostics of each kind per file on stderr.") var diagnostics = 1

    @Flag(help: "Print the summary as JSON.") var json = false

    func run() throws {
        let summary: IngestJob.Summary
        do {
            summary = try IngestJob.run(files: try csvFiles(in: paths), into: db, calendarPath: calendar,
                                        options: try input.ingestOptions(), maxDiagnostics: diagnostics, log: printError)
        } catch let failure as IngestJob.Failure {
            throw ValidationError(failure.description)
        }
        print(json ? try jsonText(summary) : summary.line(db: db))
    }
}
