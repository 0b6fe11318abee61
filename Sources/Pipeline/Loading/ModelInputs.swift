import Features
import Forecasting
import Foundation
import Ingest
import TimeSeries

/// Reads the series a `forecast` or `backtest` command works on and attaches what is known
/// about each: its season and its regressors.
package struct ModelInputs: Sendable {
    package var inputs: [ForecastInput]
    /// Notes for stderr (diagnostics of the readers and of feature building).
    package var notes: [String]

    /// Reads every file; `futureSteps` rows are added to each regressor matrix past the history
    /// (0 for backtests). CSV regressor columns are taken as 0 in the future (no promotion
    /// planned) — one note says so; calendar/event features are computed for the future.
    package static func load(files: [String], options: IngestOptions, season: Int?, calendarPath: String?,
                     futureSteps: Int, maxDiagnostics: Int) throws -> ModelInputs {
        var notes: [String] = []
        var inputs: [ForecastInput] = []
        let calendarFile = try calendarPath.map { path -> CalendarFile in
            do { return try CalendarFile.load(path: path) } catch { throw InputsError("\(error)") }
        }
        for file in files {
            let result: IngestResult
            do { result = try IngestReader.read(path: file, options: options) } catch {
                throw InputsError("\(error)")
            }
            notes += summarize(result.diagnostics, file: file, perCode: maxDiagnostics)
            for (i, series) in result.series.enumerated() {
                let csvRegressors = result.regressorNames.compactMap { name in result.regressors[name]?[i] }
                var matrix = Self.matrix(csvRegressors, futureSteps: futureSteps)
                if !csvRegressors.isEmpty, futureSteps > 0 {
                    notes.append("\(series.id): regressor columns \(result.regressorNames) are taken as 0 over the horizon")
                }
                if let calendarFile, let features = try Self.calendarFeatures(calendarFile, series: series, futureSteps: futureSteps) {
                    matrix = matrix.flatMap { $0.appendingColumns(of: features) } ?? features
                }
                let m = season ?? Self.defaultSeason(series)
                inputs.append(ForecastInput(series: series, season: m, regressors: matrix))
            }
        }
        guard !inputs.isEmpty else { throw InputsError("no series to work on in \(files.joined(separator: ", "))") }
        return ModelInputs(inputs: inputs, notes: notes)
    }

    /// The season when `--season` is not given: one day when the series is sampled on a time
    /// axis more often than daily and a day is a whole number of steps; otherwise the period
    /// that `Seasonality.dominantPeriod` detects; otherwise none.
    package static func defaultSeason(_ series: Series) -> Int? {
        let step = series.grid.step
        if series.grid.axis == .time, step < 86_400, 86_400 % step == 0 { return Int(86_400 / step) }
        return Seasonality.dominantPeriod(series.values)?.steps
    }

    /// CSV regressor columns as a matrix over history + future (future rows 0).
    package static func matrix(_ columns: [Series], futureSteps: Int) -> FeatureMatrix? {
        guard let first = columns.first else { return nil }
        let n = first.count, rows = n + futureSteps
        var values = [Double](repeating: 0, count: rows * columns.count)
        for (c, column) in columns.enumerated() {
            for r in 0..<n {
                let v = column.values[r]
                values[r * columns.count + c] = v.isFinite ? v : 0
            }
        }
        return FeatureMatrix(rows: rows, columns: columns.count, names: columns.map { $0.metric ?? $0.id }, values: values)
    }

    /// The calendar columns `psm train` builds (`TrainingFeatures`: holiday flag on a time axis,
    /// one column per event kind that applies to the series) over history + `futureSteps`.
    package static func calendarFeatures(_ file: CalendarFile, series: Series, futureSteps: Int) throws -> FeatureMatrix? {
        do {
            let features = TrainingFeatures(calendar: file.calendar, events: file.events)
            let group = TrainingGroup(name: series.group ?? series.id, inputs: [ForecastInput(series: series)])
            return try features.attach(to: group, futureSteps: futureSteps).0.inputs.first?.regressors
        } catch {
            throw InputsError("\(series.id): cannot build calendar features: \(error)")
        }
    }
}

/// A file, calendar or series that cannot be turned into forecast inputs, said in words (the
/// command line shows it as a usage error).
package struct InputsError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
