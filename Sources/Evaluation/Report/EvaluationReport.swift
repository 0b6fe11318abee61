import Calibration
import TimeSeries

/// Everything the evaluation report shows, as plain Codable data: written as JSON next to the
/// HTML page, and filled either from `psm backtest --json` files or by the training pipeline.
package struct EvaluationReport: Sendable, Hashable, Codable {
    /// Bumped when a field changes meaning; readers refuse a newer major schema.
    package static let currentSchemaVersion = 1

    package var schemaVersion: Int
    package var title: String
    /// When the report was made, Unix seconds (UTC).
    package var createdAt: Int64
    /// The psm version that made it.
    package var psmVersion: String
    package var groups: [GroupEvaluation]
    /// Report-wide remarks (inputs skipped, baseline missing, …), shown at the top.
    package var notes: [String]

    package init(title: String, createdAt: Int64, psmVersion: String, groups: [GroupEvaluation], notes: [String] = []) {
        schemaVersion = Self.currentSchemaVersion
        self.title = title
        self.createdAt = createdAt
        self.psmVersion = psmVersion
        self.groups = groups
        self.notes = notes
    }
}

/// One VM group: the models compared on its series, the choice made and the versions published.
package struct GroupEvaluation: Sendable, Hashable, Codable {
    package var group: String
    /// How the backtests were cut (the first model's; models compared should share it).
    package var configuration: BacktestConfiguration?
    /// The seasonal-naive baseline first (when present), then the others in input order.
    package var models: [ModelEvaluation]
    package var selection: ModelSelection?
    /// Interval coverage before and after calibration, per model that was calibrated.
    package var calibration: [CalibrationCoverage]
    /// Last-fold forecasts of a few series, for the fan charts.
    package var fanCharts: [FanChart]
    /// Published versions of the group's model, newest first (empty when not published).
    package var versions: [VersionRecord]
    package var notes: [String]

    package init(group: String, configuration: BacktestConfiguration? = nil, models: [ModelEvaluation],
                selection: ModelSelection? = nil, calibration: [CalibrationCoverage] = [],
                fanCharts: [FanChart] = [], versions: [VersionRecord] = [], notes: [String] = []) {
        self.group = group
        self.configuration = configuration
        self.models = models
        self.selection = selection
        self.calibration = calibration
        self.fanCharts = fanCharts
        self.versions = versions
        self.notes = notes
    }

    /// The seasonal-naive baseline's evaluation, if it was run.
    package var baseline: ModelEvaluation? { models.first(where: \.isBaseline) }
}

/// One model's scores on a group, with its calibration diagnostics.
package struct ModelEvaluation: Sendable, Hashable, Codable {
    package var model: String
    /// True for the seasonal-naive baseline every other model is compared against.
    package var isBaseline: Bool
    /// Mean over the series that were scored.
    package var overall: MetricSummary?
    package var series: [SeriesMetrics]
    /// PIT values of every scored forecast step, binned.
    package var pit: PITHistogram?
    package var reliability: ReliabilityDiagram?

    package init(model: String, isBaseline: Bool, overall: MetricSummary?, series: [SeriesMetrics],
                pit: PITHistogram? = nil, reliability: ReliabilityDiagram? = nil) {
        self.model = model
        self.isBaseline = isBaseline
        self.overall = overall
        self.series = series
        self.pit = pit
        self.reliability = reliability
    }
}

/// One series' mean scores over its folds.
package struct SeriesMetrics: Sendable, Hashable, Codable {
    package var seriesID: String
    package var folds: Int
    package var summary: MetricSummary?

    package init(seriesID: String, folds: Int, summary: MetricSummary?) {
        self.seriesID = seriesID
        self.folds = folds
        self.summary = summary
    }
}

/// The model chosen for a group and why, in words a reader can check against the tables.
package struct ModelSelection: Sendable, Hashable, Codable {
    package var model: String
    package var reason: String

    package init(model: String, reason: String) {
        self.model = model
        self.reason = reason
    }
}

/// Observed coverage of the central intervals, keyed like `MetricSummary.coverage` ("0.8", …).
package struct CalibrationCoverage: Sendable, Hashable, Codable {
    package var model: String
    /// `CalibrationMethod` raw value (`cqr`, `cqr-asymmetric`, `residual-quantile`), if known.
    package var method: String?
    package var before: [String: Double]
    package var after: [String: Double]
    /// The held-out check behind `before` and `after`, when there was one (counts and intervals).
    package var heldOut: HeldOutCoverage?

    package init(model: String, method: String? = nil, before: [String: Double], after: [String: Double],
                heldOut: HeldOutCoverage? = nil) {
        self.model = model
        self.method = method
        self.before = before
        self.after = after
        self.heldOut = heldOut
    }
}

/// Coverage of backtest forecasts that neither the model's fit nor its calibration table saw:
/// each held-out block of origins is corrected by a table fitted on earlier origins only
/// (`CalibrationSchedule`), as a published table serves until the next training run.
package struct HeldOutCoverage: Sendable, Hashable, Codable {
    /// `CalibrationMethod` raw value.
    package var method: String
    /// Horizon, window and refresh actually used (smaller than configured when the span was short).
    package var schedule: CalibrationSchedule
    /// Steps between the backtest's origins.
    package var originStride: Int
    /// Forecasts (series × origins) scored, and the forecast steps behind each estimate.
    package var forecasts: Int
    /// Uncalibrated coverage of the same forecasts, per nominal (0.8, 0.9, 0.95).
    package var raw: [CoverageEstimate]
    /// Calibrated coverage, per nominal.
    package var calibrated: [CoverageEstimate]
    /// The calibrated counts per block, so that groups can be pooled with their blocks.
    package var tally: CoverageTally
    /// Why the schedule differs from the configured one, if it does.
    package var note: String?

    package init(method: String, schedule: CalibrationSchedule, originStride: Int, forecasts: Int,
                raw: [CoverageEstimate], calibrated: [CoverageEstimate], tally: CoverageTally, note: String? = nil) {
        self.method = method
        self.schedule = schedule
        self.originStride = originStride
        self.forecasts = forecasts
        self.raw = raw
        self.calibrated = calibrated
        self.tally = tally
        self.note = note
    }

    /// Coverage keyed like `MetricSummary.coverage` ("0.8", …).
    package static func dictionary(_ estimates: [CoverageEstimate]) -> [String: Double] {
        Dictionary(estimates.map { (MetricSummary.key($0.nominal), $0.coverage) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A forecast from one origin against what happened, with the history just before it.
package struct FanChart: Sendable, Hashable, Codable {
    package var seriesID: String
    package var model: String
    /// Values at the `history.count` grid positions just before the forecast's first step
    /// (NaN where unknown).
    package var history: [Double]
    package var forecast: ForecastDistribution
    /// Actual values over the forecast's steps (NaN where not observed).
    package var actuals: [Double]

    package init(seriesID: String, model: String, history: [Double], forecast: ForecastDistribution, actuals: [Double]) {
        self.seriesID = seriesID
        self.model = model
        self.history = history
        self.forecast = forecast
        self.actuals = actuals
    }
}

/// One published model version, as the registry lists it.
package struct VersionRecord: Sendable, Hashable, Codable {
    package var id: String
    /// Unix seconds (UTC).
    package var createdAt: Int64?
    /// The version this one replaced (the previous CURRENT) or was derived from.
    package var parent: String?
    /// True for the version `CURRENT` names.
    package var isCurrent: Bool
    package var model: String?
    /// Free text: "promoted", "rolled back from …", the selection metric, ….
    package var note: String?

    package init(id: String, createdAt: Int64? = nil, parent: String? = nil, isCurrent: Bool = false,
                model: String? = nil, note: String? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.parent = parent
        self.isCurrent = isCurrent
        self.model = model
        self.note = note
    }
}
