import Calibration
import Features
import Foundation
import Ingest
import TOMLKit

extension TrainingConfiguration {
    /// Reads and validates a `psm.toml` file; errors name it as `path` was given. Relative paths
    /// in it are resolved against its directory.
    public static func load(path: String) throws(ConfigurationError) -> TrainingConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, file: path, location: "", "cannot read the file (missing, unreadable or not UTF-8)")
        }
        var c = try parse(text, fileName: path)
        c.file = path
        return c
    }

    /// Parses `psm.toml` text; `fileName` labels errors. Unknown sections and keys are errors
    /// (a typo would otherwise silently keep a default).
    public static func parse(_ text: String, fileName: String) throws(ConfigurationError) -> TrainingConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(.syntax, file: fileName, location: "",
                                     "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw ConfigurationError(.syntax, file: fileName, location: "", "\(error)")
        }
        let top = TOMLSection(file: fileName, name: nil, table: root)
        try top.rejectUnknown(["data", "calendar", "forecast", "backtest", "models", "calibration",
                               "registry", "report", "train", "actuator", "api"])
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
        try forecast.rejectUnknown(["horizon", "levels", "season"])
        guard let horizon = try forecast.int("horizon", atLeast: 1) else {
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
            guard let f = Self.gapFill(fill) else {
                throw data.error(.invalidValue, key: "fill", "expected none, linear:N or forward:N, got \"\(fill)\"")
            }
            c.ingest.fill = f
        }
        if let step = try data.int("step", atLeast: 1) { c.ingest.step = Int64(step) }
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
        c.season = try forecast.int("season", atLeast: 1)

        let backtest = try top.section("backtest")
        try backtest.rejectUnknown(["folds", "stride", "min_train"])
        c.folds = try backtest.int("folds", atLeast: 1) ?? c.folds
        c.stride = try backtest.int("stride", atLeast: 1)
        c.minimumTrainingLength = try backtest.int("min_train", atLeast: 2)

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
                                "embedding", "seed", "patience"])
        c.lstm.hiddenSize = try lstm.int("hidden", atLeast: 1) ?? c.lstm.hiddenSize
        c.lstm.layers = try lstm.int("layers", atLeast: 1) ?? c.lstm.layers
        c.lstm.window = try lstm.int("window", atLeast: 1) ?? c.lstm.window
        c.lstm.epochs = try lstm.int("epochs", atLeast: 0) ?? c.lstm.epochs
        c.lstm.batchesPerEpoch = try lstm.int("batches", atLeast: 1) ?? c.lstm.batchesPerEpoch
        c.lstm.batchSize = try lstm.int("batch_size", atLeast: 1) ?? c.lstm.batchSize
        c.lstm.learningRate = try lstm.number("learning_rate") ?? c.lstm.learningRate
        c.lstm.embeddingSize = try lstm.int("embedding", atLeast: 0) ?? c.lstm.embeddingSize
        c.lstm.patience = try lstm.int("patience", atLeast: 1) ?? c.lstm.patience
        if let seed = try lstm.int("seed", atLeast: 0) { c.lstm.seed = UInt64(seed) }
        if let problem = c.lstm.problem { throw lstm.error(.invalidValue, key: "", problem) }

        let arima = try models.section("arima")
        try arima.rejectUnknown(["max_p", "max_q", "max_seasonal_p", "max_seasonal_q", "max_models", "max_harmonics"])
        c.arima.maxP = try arima.int("max_p", atLeast: 0) ?? c.arima.maxP
        c.arima.maxQ = try arima.int("max_q", atLeast: 0) ?? c.arima.maxQ
        c.arima.maxSeasonalP = try arima.int("max_seasonal_p", atLeast: 0) ?? c.arima.maxSeasonalP
        c.arima.maxSeasonalQ = try arima.int("max_seasonal_q", atLeast: 0) ?? c.arima.maxSeasonalQ
        c.arima.maxModels = try arima.int("max_models", atLeast: 1) ?? c.arima.maxModels
        c.arima.maxHarmonics = try arima.int("max_harmonics", atLeast: 1) ?? c.arima.maxHarmonics

        let calibration = try top.section("calibration")
        try calibration.rejectUnknown(["method", "min_samples", "window", "refresh", "origin_stride"])
        if let method = try calibration.string("method") {
            guard let m = CalibrationMethod(rawValue: method) else {
                throw calibration.error(.invalidValue, key: "method",
                                        "expected cqr, cqr-asymmetric or residual-quantile, got \"\(method)\"")
            }
            c.calibrationMethod = m
        }
        c.calibrationMinimumSamples = try calibration.int("min_samples", atLeast: 1) ?? c.calibrationMinimumSamples
        c.calibrationWindow = try calibration.int("window", atLeast: 1) ?? c.calibrationWindow
        c.calibrationRefresh = try calibration.int("refresh", atLeast: 1) ?? c.calibrationRefresh
        c.originStride = try calibration.int("origin_stride", atLeast: 1) ?? c.originStride

        let registry = try top.section("registry")
        try registry.rejectUnknown(["dir", "keep"])
        c.registryDirectory = try registry.string("dir") ?? c.registryDirectory
        c.keepVersions = try registry.int("keep", atLeast: 1) ?? c.keepVersions
        let report = try top.section("report")
        try report.rejectUnknown(["dir"])
        c.reportDirectory = try report.string("dir") ?? c.reportDirectory
        let train = try top.section("train")
        try train.rejectUnknown(["jobs"])
        c.jobs = try train.int("jobs", atLeast: 1) ?? c.jobs
        return c
    }

    /// `none`, `linear:N`, `forward:N`.
    static func gapFill(_ text: String) -> GapFill? {
        if text == "none" { return GapFill.none }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let n = Int(parts[1]), n >= 1 else { return nil }
        switch parts[0] {
        case "linear": return .linear(maxSteps: n)
        case "forward": return .forward(maxSteps: n)
        default: return nil
        }
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
