import Calibration
import Evaluation
import Features
import Forecasting
import Foundation
import Ingest
import TimeSeries

/// Everything `psm train` reads from `psm.toml` (docs/configuration.md lists every key and default).
package struct TrainingConfiguration: Sendable {
    /// One input file or directory, optionally assigning all its series to one VM group.
    package struct Source: Sendable, Hashable {
        /// A CSV file, or a directory whose `*.csv` files are all read (sorted by name).
        package var path: String
        /// Overrides the series' own `group` column (NAB files have none).
        package var group: String?
        package init(path: String, group: String? = nil) {
            self.path = path
            self.group = group
        }
    }

    /// The file this configuration came from (labels errors and the report); nil when built in code.
    package var file: String?
    // [data]
    package var sources: [Source]
    package var ingest = IngestOptions()
    /// A MetricStore SQLite file to read instead of (or as well as) the CSV inputs.
    package var database: String?
    // [calendar]
    package var calendarFile: String?
    /// Whether the advance notices stored in `database` and `actuatorStore` become training events.
    package var storedNotices = true
    /// Local hour-of-day and day-of-week columns (time axis only); nil: none.
    package var hourOfDay: CalendarEncoding?
    package var dayOfWeek: CalendarEncoding?
    // [actuator]
    /// The actuator's store (`[actuator] store`, when the file has an `[actuator]` section), read for notices.
    package var actuatorStore: String?
    // [forecast]
    package var horizon: Int
    package var levels: [Double] = BacktestConfiguration.defaultLevels
    /// Seasonal period in steps; nil = one day on a sub-daily time axis, else detected.
    package var season: Int?
    /// The support of every series' forecasts (`[forecast] lower`/`upper`): demand is never negative.
    package var bounds: SupportBounds = .nonNegative
    /// Groups with a support of their own (`[forecast.groups.<name>] lower`/`upper`): a CPU
    /// percentage's `upper = 100`. Keys not given there are `bounds`'.
    package var groupBounds: [String: SupportBounds] = [:]

    /// The support of `group`'s series.
    package func bounds(for group: String) -> SupportBounds { groupBounds[group] ?? bounds }
    // [backtest]
    package var folds = 3
    /// Steps between origins; nil = `horizon`.
    package var stride: Int?
    /// Fewest training points of the first fold; nil = `horizon`.
    package var minimumTrainingLength: Int?
    // [models]
    package var candidates = ["seasonal-naive", "lstm"]
    package var lstm = TrainingConfiguration.defaultLSTM
    package var arima = AutoARIMAOptions()
    // [calibration]
    /// Residual quantiles on scores scaled by each forecast's own spread: one table serves
    /// series of any scale (docs/calibration.md, "On the bundled data", for the measurements).
    package var calibrationMethod = CalibrationMethod.residualQuantile
    package var calibrationMinimumSamples = 50
    /// Steps of backtest origins a calibration table is fitted on (the most recent ones).
    package var calibrationWindow = 288
    /// Steps of origins one table corrects in the held-out check before the next is fitted.
    package var calibrationRefresh = 72
    /// Steps between the backtest's forecast origins (fits happen only at the folds).
    package var originStride = 1
    // [registry]
    package var registryDirectory = "Models"
    package var keepVersions = 5
    // [report]
    package var reportDirectory = "reports"
    // [train]
    package var jobs = 2

    package init(sources: [Source], horizon: Int, file: String? = nil) {
        self.sources = sources
        self.horizon = horizon
        self.file = file
    }

    /// The ranges `psm.toml` and the command line accept (docs/configuration.md): wide enough for
    /// any real fleet, narrow enough that no product of them overflows or allocates without bound.
    package enum Limits {
        package static let horizon = 1...10_000
        package static let season = 1...100_000
        package static let folds = 1...1_000
        package static let stride = 1...1_000_000
        package static let jobs = 1...1_024
    }

    /// The models `candidates` may name.
    package static let knownModels = ["seasonal-naive", "arima", "ets", "theta", "lstm"]

    /// The LSTM settings of a training job: smaller than the engine's defaults so that a
    /// scheduled run over many groups stays short; per-epoch progress lines are off.
    package static var defaultLSTM: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 32, layers: 1, window: 96, epochs: 10, batchSize: 32)
        c.batchesPerEpoch = 20
        c.reportsProgress = false
        return c
    }

    /// How the backtest cuts each series.
    package var backtest: BacktestConfiguration {
        BacktestConfiguration(horizon: horizon, folds: folds, stride: stride ?? horizon, levels: levels,
                              minimumTrainingLength: minimumTrainingLength ?? horizon, bounds: bounds)
    }

    /// The held-out protocol of calibration.
    package func calibrationSchedule() throws(CalibrationError) -> CalibrationSchedule {
        try CalibrationSchedule(horizon: horizon, window: calibrationWindow, refresh: calibrationRefresh)
    }

    /// Points a series needs for every fold to have `minimumTrainingLength` of history.
    package var requiredLength: Int {
        let b = backtest
        return b.minimumTrainingLength + b.horizon + (b.folds - 1) * b.stride
    }

    /// `path` relative to the configuration file's directory (absolute paths are kept).
    package func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let file else { return path }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }
}
