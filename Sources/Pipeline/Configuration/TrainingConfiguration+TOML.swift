import Calibration
import Features
import Forecasting
import Foundation
import Ingest
import PSMConfiguration
import TimeSeries
import TOMLKit

extension TrainingConfiguration {
    /// Reads and validates a `psm.toml` file; errors name it as `path` was given. Relative paths
    /// in it are resolved against its directory.
    package static func load(path: String) throws(ConfigurationError) -> TrainingConfiguration {
        var c = try read(PSMFile.read(path))
        c.file = path
        return c
    }

    /// Parses `psm.toml` text; `fileName` labels errors. Unknown sections and keys are errors
    /// (a typo would otherwise silently keep a default).
    package static func parse(_ text: String, fileName: String) throws(ConfigurationError) -> TrainingConfiguration {
        try read(PSMFile(text: text, file: fileName))
    }

    /// The training job's sections of a psm.toml.
    static func read(_ file: PSMFile) throws(ConfigurationError) -> TrainingConfiguration {
        let top = file.root
        let root = top.table ?? TOMLTable()
        for key in root.keys where root[key]?.table == nil && key != "actuator" {
            throw top.error(.wrongType, key: key, "expected a [\(key)] table")
        }

        let data = try top.section("data")
        try data.rejectUnknown(["inputs", "format", "aggregation", "fill", "step", "unix_timestamps", "db"])
        let sources = try data.sources("inputs")
        let database = try data.string("db")
        guard !sources.isEmpty || database != nil else {
            throw data.error(.missingKey, key: "inputs", "required: a list of CSV files or directories (or set db)")
        }
        let forecast = try top.section("forecast")
        try forecast.rejectUnknown(["horizon", "levels", "season", "lower", "upper", "groups"])
        guard let horizon = try forecast.int("horizon", in: Limits.horizon) else {
            throw forecast.error(.missingKey, key: "horizon", "required: steps to forecast, an integer ≥ 1")
        }
        var c = TrainingConfiguration(sources: sources, horizon: horizon)
        c.database = database
        if let format = try data.string("format") {
            guard let f = InputFormat(rawValue: format) else {
                throw data.error(.invalidValue, key: "format", "expected one of auto, long, wide, nab, got \"\(format)\"")
            }
            c.ingest.format = f
        }
        if let aggregation = try data.string("aggregation") {
            guard let a = Aggregation(rawValue: aggregation) else {
                throw data.error(.invalidValue, key: "aggregation", "expected one of mean, max, last, got \"\(aggregation)\"")
            }
            c.ingest.aggregation = a
        }
        if let fill = try data.string("fill") {
            guard let f = GapFill(policy: fill) else {
                throw data.error(.invalidValue, key: "fill", "expected none, linear:N or forward:N, got \"\(fill)\"")
            }
            c.ingest.fill = f
        }
        if let step = try data.int("step", in: 1...31_536_000) { c.ingest.step = Int64(step) }
        if try data.bool("unix_timestamps") == true { c.ingest.integerTimestamps = .time }

        let calendar = try top.section("calendar")
        try calendar.rejectUnknown(["file", "notices", "hour_of_day", "day_of_week"])
        c.calendarFile = try calendar.string("file")
        c.storedNotices = try calendar.bool("notices") ?? c.storedNotices
        for (key, path) in [("hour_of_day", \TrainingConfiguration.hourOfDay), ("day_of_week", \TrainingConfiguration.dayOfWeek)] {
            guard let text = try calendar.string(key) else { continue }
            guard let encoding = CalendarEncoding(rawValue: text) else {
                throw calendar.error(.invalidValue, key: key, "expected one_hot or cyclic, got \"\(text)\"")
            }
            c[keyPath: path] = encoding
        }
        // The actuator's store holds the advance notices posted to its API (same psm.toml).
        let actuator = try top.section("actuator")
        if actuator.table != nil { c.actuatorStore = try actuator.string("store") ?? "psm-actuator.sqlite" }

        if let levels = try forecast.numbers("levels") {
            guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }),
                  zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw forecast.error(.invalidValue, key: "levels", "expected strictly increasing levels in (0, 1), got \(levels)")
            }
            c.levels = levels
        }
        c.season = try forecast.int("season", in: Limits.season)
        c.bounds = try Self.supportBounds(forecast)
        let groups = try forecast.section("groups")
        for name in (groups.table?.keys ?? []).sorted() {
            let group = try groups.section(name)
            try group.rejectUnknown(["lower", "upper"])
            c.groupBounds[name] = try Self.supportBounds(group, defaults: c.bounds)
        }

        let backtest = try top.section("backtest")
        try backtest.rejectUnknown(["folds", "stride", "min_train"])
        c.folds = try backtest.int("folds", in: Limits.folds) ?? c.folds
        c.stride = try backtest.int("stride", in: Limits.stride)
        c.minimumTrainingLength = try backtest.int("min_train", in: 2...100_000_000)

        let models = try top.section("models")
        try models.rejectUnknown(["candidates", "lstm", "arima"])
        if let names = try models.strings("candidates") {
            guard !names.isEmpty else { throw models.error(.invalidValue, key: "candidates", "expected at least one model") }
            for name in names where !knownModels.contains(name) {
                throw models.error(.invalidValue, key: "candidates",
                                   "unknown model \"\(name)\" (expected some of: \(knownModels.joined(separator: ", ")))")
            }
            c.candidates = Array(NSOrderedSet(array: names)).compactMap { $0 as? String }
        }
        let lstm = try models.section("lstm")
        try lstm.rejectUnknown(["hidden", "layers", "window", "epochs", "batches", "batch_size", "learning_rate",
                                "embedding", "seed", "patience", "seeds", "baseline", "scope", "blend"])
        c.lstm.hiddenSize = try lstm.int("hidden", in: 1...4_096) ?? c.lstm.hiddenSize
        c.lstm.layers = try lstm.int("layers", in: 1...16) ?? c.lstm.layers
        c.lstm.window = try lstm.int("window", in: 1...100_000) ?? c.lstm.window
        c.lstm.epochs = try lstm.int("epochs", in: 0...100_000) ?? c.lstm.epochs
        c.lstm.batchesPerEpoch = try lstm.int("batches", in: 1...1_000_000) ?? c.lstm.batchesPerEpoch
        c.lstm.batchSize = try lstm.int("batch_size", in: 1...100_000) ?? c.lstm.batchSize
        c.lstm.learningRate = try lstm.number("learning_rate", from: 0, to: 10, lowerExclusive: true) ?? c.lstm.learningRate
        c.lstm.embeddingSize = try lstm.int("embedding", in: 0...1_024) ?? c.lstm.embeddingSize
        c.lstm.patience = try lstm.int("patience", in: 1...100_000) ?? c.lstm.patience
        c.lstm.seeds = try lstm.int("seeds", in: 1...100) ?? c.lstm.seeds
        if let name = try lstm.string("baseline") {
            guard let baseline = LSTMNormalisation.Baseline(rawValue: name) else {
                throw lstm.error(.invalidValue, key: "baseline", "must be one of "
                                 + LSTMNormalisation.Baseline.allCases.map(\.rawValue).joined(separator: ", ") + ", got \(name)")
            }
            c.lstm.baseline = baseline
        }
        if let name = try lstm.string("scope") {
            guard let scope = LSTMScope(rawValue: name) else {
                throw lstm.error(.invalidValue, key: "scope", "must be one of "
                                 + LSTMScope.allCases.map(\.rawValue).joined(separator: ", ") + ", got \(name)")
            }
            c.lstm.scope = scope
        }
        if let name = try lstm.string("blend") {
            guard let blend = LSTMBlend(rawValue: name) else {
                throw lstm.error(.invalidValue, key: "blend", "must be one of "
                                 + LSTMBlend.allCases.map(\.rawValue).joined(separator: ", ") + ", got \(name)")
            }
            c.lstm.blend = blend
        }
        if let seed = try lstm.int("seed", in: 0...Int.max) { c.lstm.seed = UInt64(seed) }
        if let problem = c.lstm.problem { throw lstm.error(.invalidValue, key: "", problem) }

        let arima = try models.section("arima")
        try arima.rejectUnknown(["max_p", "max_q", "max_seasonal_p", "max_seasonal_q", "max_models", "max_harmonics"])
        c.arima.maxP = try arima.int("max_p", in: 0...20) ?? c.arima.maxP
        c.arima.maxQ = try arima.int("max_q", in: 0...20) ?? c.arima.maxQ
        c.arima.maxSeasonalP = try arima.int("max_seasonal_p", in: 0...5) ?? c.arima.maxSeasonalP
        c.arima.maxSeasonalQ = try arima.int("max_seasonal_q", in: 0...5) ?? c.arima.maxSeasonalQ
        c.arima.maxModels = try arima.int("max_models", in: 1...10_000) ?? c.arima.maxModels
        c.arima.maxHarmonics = try arima.int("max_harmonics", in: 1...100) ?? c.arima.maxHarmonics

        let calibration = try top.section("calibration")
        try calibration.rejectUnknown(["method", "min_samples", "window", "refresh", "origin_stride"])
        if let method = try calibration.string("method") {
            guard let m = CalibrationMethod(rawValue: method) else {
                throw calibration.error(.invalidValue, key: "method",
                                        "expected cqr, cqr-asymmetric or residual-quantile, got \"\(method)\"")
            }
            c.calibrationMethod = m
        }
        c.calibrationMinimumSamples = try calibration.int("min_samples", in: 1...10_000_000) ?? c.calibrationMinimumSamples
        c.calibrationWindow = try calibration.int("window", in: 1...10_000_000) ?? c.calibrationWindow
        c.calibrationRefresh = try calibration.int("refresh", in: 1...10_000_000) ?? c.calibrationRefresh
        c.originStride = try calibration.int("origin_stride", in: 1...1_000_000) ?? c.originStride

        let registry = try top.section("registry")
        try registry.rejectUnknown(["dir", "keep"])
        c.registryDirectory = try registry.string("dir") ?? c.registryDirectory
        c.keepVersions = try registry.int("keep", in: 1...10_000) ?? c.keepVersions
        let report = try top.section("report")
        try report.rejectUnknown(["dir"])
        c.reportDirectory = try report.string("dir") ?? c.reportDirectory
        let train = try top.section("train")
        try train.rejectUnknown(["jobs"])
        c.jobs = try train.int("jobs", in: Limits.jobs) ?? c.jobs
        return c
    }

    /// `none`, `linear:N`, `forward:N`.
    /// `[forecast] lower` (default 0: demand is never negative; `"none"` for no bound) and
    /// `upper` (default none; `"none"` too).
    /// `[forecast.groups.<name>] lower`/`upper` fall back to `defaults` (the `[forecast]` ones).
    static func supportBounds(_ forecast: TOMLSection, defaults: SupportBounds = .nonNegative) throws(ConfigurationError) -> SupportBounds {
        func bound(_ key: String, default value: Double?) throws(ConfigurationError) -> Double? {
            if forecast.table?[key]?.type == .string {
                let text = try forecast.string(key)
                guard text == "none" else {
                    throw forecast.error(.invalidValue, key: key, "expected a number or \"none\", got \"\(text ?? "")\"")
                }
                return nil
            }
            return try forecast.number(key, from: -1e15, to: 1e15) ?? value
        }
        let bounds = SupportBounds(lower: try bound("lower", default: defaults.lower), upper: try bound("upper", default: defaults.upper))
        if let problem = bounds.problem { throw forecast.error(.invalidValue, key: "upper", problem) }
        return bounds
    }
}

extension TOMLSection {
    /// `inputs = ["file.csv", { path = "dir/", group = "web" }]`.
    func sources(_ key: String) throws(ConfigurationError) -> [TrainingConfiguration.Source] {
        guard let value = table?[key] else { return [] }
        guard let array = value.array else {
            throw error(.wrongType, key: key, "expected an array of paths or { path, group } tables, got \(Self.shown(value))")
        }
        var out: [TrainingConfiguration.Source] = []
        for (i, element) in array.enumerated() {
            if element.type == .string, let s = element.string {
                out.append(.init(path: s))
            } else if let t = element.table {
                let entry = TOMLSection(file: file, name: "\(name ?? "").\(key)[\(i + 1)]", table: t)
                try entry.rejectUnknown(["path", "group"])
                guard let path = try entry.string("path") else {
                    throw entry.error(.missingKey, key: "path", "required: a CSV file or directory")
                }
                out.append(.init(path: path, group: try entry.string("group")))
            } else {
                throw error(.wrongType, key: key, "element \(i + 1): expected a path or a { path, group } table, got \(Self.shown(element))")
            }
        }
        return out
    }
}
