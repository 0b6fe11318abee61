import Features
import Foundation
import MetricStore
import TimeSeries

/// `psm ingest`: metric files (and a calendar's events) into the metric store, all or nothing.
/// Every file is read and validated first; if any cannot be used at all, nothing is written.
/// Otherwise every series, its regressor columns (stored under `RegressorKey`) and the events go
/// into the store in one transaction.
package enum IngestJob {
    package struct Summary: Codable, Equatable, Sendable {
        package var files: Int
        package var series: Int
        package var samples: Int
        package var rowsRead: Int
        package var rowsRejected: Int
        package var events: Int
        package var seconds: Double

        /// The one line `psm ingest` prints.
        package func line(db: String) -> String {
            let rate = seconds > 0 ? Double(samples) / seconds : 0
            return "ingested \(files) files into \(db): \(series) series, \(samples) samples, \(events) events; "
                + "\(rowsRejected) of \(rowsRead) rows rejected; "
                + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.2f", rate / 1e6)) M samples/s)"
        }
    }

    /// A file or calendar that stopped the job (nothing was written), said in words.
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package let description: String
    }

    /// Reads everything, then writes everything in one transaction. `log` gets the readers'
    /// condensed diagnostics (`summarize`) and every file that could not be read.
    package static func run(files: [String], into dbPath: String, calendarPath: String?, options: IngestOptions,
                           maxDiagnostics: Int, log: (String) -> Void) throws -> Summary {
        let started = Date()
        var events: [Event] = []
        if let calendarPath {
            do { events = try CalendarFile.load(path: calendarPath).events } catch { throw Failure(description: "\(error)") }
        }
        var series: [Series] = [], rowsRead = 0, rowsRejected = 0, failures: [String] = []
        var seen: [String: String] = [:]
        for file in files {
            do {
                let result = try IngestReader.read(path: file, options: options)
                summarize(result.diagnostics, file: file, perCode: maxDiagnostics).forEach(log)
                rowsRead += result.summary.rowsRead
                rowsRejected += result.summary.rowsRejected
                for (i, s) in result.series.enumerated() {
                    if let other = seen[s.id] {
                        log("\(file): series \(s.id) also comes from \(other); its values replace the earlier ones where both have a time")
                    }
                    seen[s.id] = file
                    series.append(s)
                    for name in result.regressorNames {
                        guard var column = result.regressors[name]?[i] else { continue }
                        column.id = RegressorKey.key(series: s.id, column: name)
                        column.metric = name
                        series.append(column)
                    }
                }
            } catch {
                failures.append("\(error)")
            }
        }
        guard failures.isEmpty else {
            failures.forEach { log("psm ingest: \($0)") }
            throw Failure(description: "\(failures.count) of \(files.count) files could not be read; nothing was written to \(dbPath)")
        }
        let written: Int
        do {
            written = try MetricStore(path: dbPath).ingest(series, events: events)
        } catch {
            throw Failure(description: "\(error)")
        }
        return Summary(files: files.count, series: series.count, samples: written, rowsRead: rowsRead,
                       rowsRejected: rowsRejected, events: events.count, seconds: Date().timeIntervalSince(started))
    }
}

/// How a CSV regressor column of series `<id>` is stored: as series `<id>:<column>`. `psm ingest`
/// writes these keys and `psm train` reads them as regressors, never as series to train on.
package enum RegressorKey {
    package static func key(series id: String, column: String) -> String { "\(id):\(column)" }

    /// Whether `key` names a regressor column of another stored series among `keys`.
    package static func isRegressor(_ key: String, among keys: Set<String>) -> Bool {
        guard let colon = key.lastIndex(of: ":") else { return false }
        return keys.contains(String(key[..<colon]))
    }
}
