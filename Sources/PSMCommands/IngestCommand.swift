import ArgumentParser
import Features
import Foundation
import Ingest
import MetricStore
import TimeSeries

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

    @Argument(help: "CSV files or directories of them.")
    var paths: [String]

    @Option(help: "SQLite database file (created if missing; WAL mode).")
    var db: String

    @Option(help: "Calendar/events TOML file whose events are stored too (docs/calendar.md).")
    var calendar: String?

    @OptionGroup var input: InputOptions

    @Option(help: "Print at most this many diagnostics of each kind per file on stderr.")
    var diagnostics = 1

    @Flag(help: "Print the summary as JSON.")
    var json = false

    struct Summary: Codable, Equatable {
        var files: Int
        var series: Int
        var samples: Int
        var rowsRead: Int
        var rowsRejected: Int
        var events: Int
        var seconds: Double
    }

    func run() throws {
        let summary = try Self.ingest(files: try csvFiles(in: paths), into: db, calendarPath: calendar,
                                      options: try input.ingestOptions(), maxDiagnostics: diagnostics)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            let rate = summary.seconds > 0 ? Double(summary.samples) / summary.seconds : 0
            print("""
                ingested \(summary.files) files into \(db): \(summary.series) series, \(summary.samples) samples, \
                \(summary.events) events; \(summary.rowsRejected) of \(summary.rowsRead) rows rejected; \
                \(String(format: "%.2f", summary.seconds)) s (\(String(format: "%.2f", rate / 1e6)) M samples/s)
                """)
        }
    }

    /// Reads everything, then writes everything in one transaction.
    static func ingest(files: [String], into dbPath: String, calendarPath: String?, options: IngestOptions,
                       maxDiagnostics: Int) throws -> Summary {
        let started = Date()
        var events: [Event] = []
        if let calendarPath {
            do { events = try CalendarFile.load(path: calendarPath).events } catch { throw ValidationError("\(error)") }
        }
        var series: [Series] = [], rowsRead = 0, rowsRejected = 0, failures: [String] = []
        var seen: [String: String] = [:]
        for file in files {
            do {
                let result = try IngestReader.read(path: file, options: options)
                summarize(result.diagnostics, file: file, perCode: maxDiagnostics).forEach(printError)
                rowsRead += result.summary.rowsRead
                rowsRejected += result.summary.rowsRejected
                for (i, s) in result.series.enumerated() {
                    if let other = seen[s.id] {
                        printError("\(file): series \(s.id) also comes from \(other); its values replace the earlier ones where both have a time")
                    }
                    seen[s.id] = file
                    series.append(s)
                    for name in result.regressorNames {
                        guard var column = result.regressors[name]?[i] else { continue }
                        column.id = "\(s.id):\(name)"
                        column.metric = name
                        series.append(column)
                    }
                }
            } catch {
                failures.append("\(error)")
            }
        }
        guard failures.isEmpty else {
            failures.forEach { printError("psm ingest: \($0)") }
            throw ValidationError("\(failures.count) of \(files.count) files could not be read; nothing was written to \(dbPath)")
        }
        let store: MetricStore
        let written: Int
        do {
            store = try MetricStore(path: dbPath)
            written = try store.ingest(series, events: events)
        } catch {
            throw ValidationError("\(error)")
        }
        return Summary(files: files.count, series: series.count, samples: written, rowsRead: rowsRead,
                       rowsRejected: rowsRejected, events: events.count, seconds: Date().timeIntervalSince(started))
    }
}
