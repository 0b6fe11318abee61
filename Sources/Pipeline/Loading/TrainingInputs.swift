import Features
import Forecasting
import Foundation
import Ingest
import MetricStore
import TimeSeries

/// What one `psm train` run trains on: every series of the configured sources and metric store,
/// the features built from the calendar and the stored advance notices, and the notes of what
/// could not be read.
package struct TrainingInputs: Sendable {
    package var inputs: [ForecastInput]
    package var notes: [String]
    package var features: TrainingFeatures

    /// Reads every source, and the calendar and stored notices the groups' features are built
    /// from (after grouping, so a source's `group` is what event scopes match). An unreadable
    /// source is noted (and passed to `log`) and the others go on; nothing readable at all, or an
    /// unreadable calendar, throws `InputsError`.
    package static func load(_ c: TrainingConfiguration, log: (String) -> Void) throws -> TrainingInputs {
        var inputs: [ForecastInput] = [], notes: [String] = []
        func skip(_ path: String, _ what: String, _ error: any Error) {
            notes.append("\(path): \(what): \(error)")
            log("psm train: \(path): \(what): \(error)")
        }
        if let database = c.database.map(c.resolve) {
            do { inputs += try storeInputs(database, configuration: c) } catch { skip(database, "not used", error) }
        }
        for source in c.sources {
            let path = c.resolve(source.path)
            do {
                let files = try CSVFiles.expand([path])
                var loaded = try ModelInputs.load(files: files, options: c.ingest, season: c.season, calendarPath: nil,
                                                  futureSteps: 0, maxDiagnostics: 1)
                if let group = source.group {
                    for i in loaded.inputs.indices { loaded.inputs[i].series.group = group }
                }
                inputs += loaded.inputs
                notes += loaded.notes
            } catch {
                skip(path, "not used", error)
            }
        }
        guard !inputs.isEmpty else { throw InputsError("psm train: no series could be read from the configured inputs") }
        let calendar = try c.calendarFile.map(c.resolve).map { path -> CalendarFile in
            do { return try CalendarFile.load(path: path) } catch { throw InputsError("\(error)") }
        }
        var events = calendar?.events ?? []
        if c.storedNotices {
            var seen = Set<String>()
            for path in [c.database, c.actuatorStore].compactMap({ $0 }).map(c.resolve) where seen.insert(path).inserted {
                do { events += try storedNotices(path) } catch { skip(path, "notices not read", error) }
            }
        }
        let features = TrainingFeatures(calendar: calendar?.calendar ?? .utc, events: events,
                                        hourOfDay: c.hourOfDay, dayOfWeek: c.dayOfWeek)
        return TrainingInputs(inputs: inputs, notes: notes, features: features)
    }

    /// The advance notices a store holds (events of kind notice), as training events. A store
    /// that does not exist yet holds none (it is not created).
    package static func storedNotices(_ path: String) throws -> [Event] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try MetricStore(path: path).events(kind: .notice).map(\.event)
    }

    /// Every series of a metric store (written by `psm ingest`), with its stored group. Keys
    /// `<id>:<column>` of a stored series `<id>` are its CSV regressors and are not trained on.
    package static func storeInputs(_ path: String, configuration c: TrainingConfiguration) throws -> [ForecastInput] {
        guard FileManager.default.fileExists(atPath: path) else { throw InputsError("no such file") }
        let store = try MetricStore(path: path)
        let infos = try store.listSeries()
        let keys = Set(infos.map(\.key))
        var inputs: [ForecastInput] = []
        for info in infos {
            if RegressorKey.isRegressor(info.key, among: keys) { continue }
            guard let series = try store.series(key: info.key), series.count > 0 else { continue }
            inputs.append(ForecastInput(series: series, season: c.season ?? ModelInputs.defaultSeason(series)))
        }
        return inputs
    }
}
