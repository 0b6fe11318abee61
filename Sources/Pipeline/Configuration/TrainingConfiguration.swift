import Calibration
import Evaluation
import Features
import Forecasting
import Foundation
import Ingest
import TimeSeries

/// Everything `psm train` reads from `psm.toml` (docs/configuration.md lists every key and default).
public struct TrainingConfiguration: Sendable {
    /// One input file or directory, optionally assigning all its series to one VM group.
    public struct Source: Sendable, Hashable {
        /// A CSV file, or a directory whose `*.csv` files are all read (sorted by name).
        public var path: String
        /// Overrides the series' own `group` column (NAB files have none).
        public var group: String?
        public init(path: String, group: String? = nil) {
            self.path = path
            self.group = group
        }
    }

    /// The file this configuration came from (labels errors and the report); nil when built in code.
    public var file: String?
    // [data]
    public var sources: [Source]
    public var ingest = IngestOptions()
    /// A MetricStore SQLite file to read instead of (or as well as) the CSV inputs.
    public var database: String?
    // [calendar]
    public var calendarFile: String?
    /// Whether the advance notices stored in `database` and `actuatorStore` become training events.
    public var storedNotices = true
    /// Local hour-of-day and day-of-week columns (time axis only); nil: none.
    public var hourOfDay: CalendarEncoding?
    public var dayOfWeek: CalendarEncoding?
    // [actuator]
    /// The actuator's store (`[actuator] store`, when the file has an `[actuator]` section), read for notices.
    public var actuatorStore: String?
    // [forecast]
    public var horizon: Int
    public var levels: [Double] = BacktestConfiguration.defaultLevels
    /// Seasonal period in steps; nil = one day on a sub-daily time axis, else detected.
    public var season: Int?
    /// The support of every series' forecasts (`[forecast] lower`/`upper`): demand is never negative.
    public var bounds: SupportBounds = .nonNegative
    /// Groups with a support of their own (`[forecast.groups.<name>] lower`/`upper`): a CPU
    /// percentage's `upper = 100`. Keys not given there are `bounds`'.
    public var groupBounds: [String: SupportBounds] = [:]

    /// The support of `group`'s series.
    public func bounds(for group: String) -> SupportBounds { groupBounds[group] ?? bounds }
    // [backtest]
    public var folds = 3
    /// Steps between origins; nil = `horizon`.
    public var stride: Int?
    /// Fewest training points of the first fold; nil = `horizon`.
    public var minimumTrainingLength: Int?
    // [models]
    public var candidates = ["seasonal-naive", "lstm"]
    public var lstm = TrainingConfiguration.defaultLSTM
    public var arima = AutoARIMAOptions()
    // [calibration]
    /// Residual quantiles on scores scaled by each forecast's own spread: one table serves
    /// series of any scale (docs/calibration.md, "On the bundled data", for the measurements).
    public var calibrationMethod = CalibrationMethod.residualQuantile
    public var calibrationMinimumSamples = 50
    /// Steps of backtest origins a calibration table is fitted on (the most recent ones).
    public var calibrationWindow = 288
    /// Steps of origins one table corrects in the held-out check before the next is fitted.
    public var calibrationRefresh = 72
    /// Steps between the backtest's forecast origins (fits happen only at the folds).
    public var originStride = 1
    // [registry]
    public var registryDirectory = "Models"
    public var keepVersions = 5
    // [report]
    public var reportDirectory = "reports"
    // [train]
    public var jobs = 2

    public init(sources: [Source], horizon: Int, file: String? = nil) {
        self.sources = sources
        self.horizon = horizon
        self.file = file
    }

    /// The ranges `psm.toml` and the command line accept (docs/configuration.md): wide enough for
    /// any real fleet, narrow enough that no product of them overflows or allocates without bound.
    public enum Limits {
        public static let horizon = 1...10_000
        public static let season = 1...100_000
        public static let folds = 1...1_000
        public static let stride = 1...1_000_000
        public static let jobs = 1...1_024
    }

    /// The models `candidates` may name.
    public static let knownModels = ["seasonal-naive", "arima", "ets", "theta", "lstm"]

    /// The LSTM settings of a training job: smaller than the engine's defaults so that a
    /// scheduled run over many groups stays short; per-epoch progress lines are off.
    public static var defaultLSTM: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 32, layers: 1, window: 96, epochs: 10, batchSize: 32)
        c.batchesPerEpoch = 20
        c.reportsProgress = false
        return c
    }

    /// How the backtest cuts each series.
    public var backtest: BacktestConfiguration {
        BacktestConfiguration(horizon: horizon, folds: folds, stride: stride ?? horizon, levels: levels,
                              minimumTrainingLength: minimumTrainingLength ?? horizon, bounds: bounds)
    }

    /// The held-out protocol of calibration.
    public func calibrationSchedule() throws(CalibrationError) -> CalibrationSchedule {
        try CalibrationSchedule(horizon: horizon, window: calibrationWindow, refresh: calibrationRefresh)
    }

    /// Points a series needs for every fold to have `minimumTrainingLength` of history.
    public var requiredLength: Int {
        let b = backtest
        return b.minimumTrainingLength + b.horizon + (b.folds - 1) * b.stride
    }

    /// `path` relative to the configuration file's directory (absolute paths are kept).
    public func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let file else { return path }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }
}
