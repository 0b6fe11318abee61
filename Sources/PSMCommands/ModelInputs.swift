import ArgumentParser
import Features
import Forecasting
import Foundation
import Ingest
import Pipeline
import TimeSeries

/// Reads the series a `forecast` or `backtest` command works on and attaches what is known
/// about each: its season and its regressors.
struct ModelInputs {
    var inputs: [ForecastInput]
    /// Notes for stderr (diagnostics of the readers and of feature building).
    var notes: [String]

    /// Reads every file; `futureSteps` rows are added to each regressor matrix past the history
    /// (0 for backtests). CSV regressor columns are taken as 0 in the future (no promotion
    /// planned) — one note says so; calendar/event features are computed for the future.
    static func load(files: [String], options: IngestOptions, season: Int?, calendarPath: String?,
                     futureSteps: Int, maxDiagnostics: Int) throws -> ModelInputs {
        var notes: [String] = []
        var inputs: [ForecastInput] = []
        let calendarFile = try calendarPath.map { path -> CalendarFile in
            do { return try CalendarFile.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        for file in files {
            let result: IngestResult
            do { result = try IngestReader.read(path: file, options: options) } catch {
                throw ValidationError("\(error)")
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
        guard !inputs.isEmpty else { throw ValidationError("no series to work on in \(files.joined(separator: ", "))") }
        return ModelInputs(inputs: inputs, notes: notes)
    }

    /// The season when `--season` is not given: one day when the series is sampled on a time
    /// axis more often than daily and a day is a whole number of steps; otherwise the period
    /// that `Seasonality.dominantPeriod` detects; otherwise none.
    static func defaultSeason(_ series: Series) -> Int? {
        let step = series.grid.step
        if series.grid.axis == .time, step < 86_400, 86_400 % step == 0 { return Int(86_400 / step) }
        return Seasonality.dominantPeriod(series.values)?.steps
    }

    /// CSV regressor columns as a matrix over history + future (future rows 0).
    static func matrix(_ columns: [Series], futureSteps: Int) -> FeatureMatrix? {
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
    static func calendarFeatures(_ file: CalendarFile, series: Series, futureSteps: Int) throws -> FeatureMatrix? {
        do {
            let features = TrainingFeatures(calendar: file.calendar, events: file.events)
            let group = TrainingGroup(name: series.group ?? series.id, inputs: [ForecastInput(series: series)])
            return try features.attach(to: group, futureSteps: futureSteps).0.inputs.first?.regressors
        } catch {
            throw ValidationError("\(series.id): cannot build calendar features: \(error)")
        }
    }
}

/// The forecasting engines `--model` can name.
enum ForecasterCatalog {
    static let names = ["seasonal-naive", "arima", "ets", "theta", "lstm", "auto", "combination"]

    /// `auto` and `combination` backtest each series with the training job's selection
    /// (`AutoForecaster`), clipping into `bounds` as they go; `rule` is `combination`'s.
    static func make(_ name: String, lstm: LSTMOptions, jobs: Int, bounds: SupportBounds = .unbounded,
                     rule: CombinationRule = .weighted) throws -> any Forecaster {
        switch name {
        case "auto": return AutoForecaster(bounds: bounds, jobs: jobs)
        case "combination": return AutoForecaster(combination: rule, bounds: bounds, jobs: jobs)
        case "seasonal-naive": return SeasonalNaive()
        case "arima": return ARIMAForecaster(jobs: jobs)
        case "ets": return ETSForecaster(jobs: jobs)
        case "theta": return ThetaForecaster(jobs: jobs)
        case "lstm": return LSTMForecaster(configuration: lstm.configuration)
        default:
            throw ValidationError("unknown model \"\(name)\"; choose one of \(names.joined(separator: ", "))")
        }
    }
}

/// Parses `--quantiles 0.05,0.5,0.95`, keeping each level's text for the CSV column name.
func parseQuantiles(_ text: String) throws -> [(level: Double, name: String)] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    var out: [(Double, String)] = []
    for part in parts {
        guard let level = Double(part), level > 0, level < 1 else {
            throw ValidationError("--quantiles: \"\(part)\" is not a level between 0 and 1")
        }
        out.append((level, "q" + part))
    }
    guard !out.isEmpty else { throw ValidationError("--quantiles needs at least one level") }
    let sorted = out.sorted { $0.0 < $1.0 }
    for (a, b) in zip(sorted, sorted.dropFirst()) where a.0 == b.0 {
        throw ValidationError("--quantiles: level \(a.1.dropFirst()) is given twice")
    }
    return sorted
}
