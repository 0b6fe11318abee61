import Calibration
import Evaluation

/// What happened to one group in a training run: the report's row.
package struct GroupOutcome: Sendable, Codable {
    package enum Status: String, Sendable, Codable {
        /// A model was selected and published.
        case trained
        /// Not attempted: too little data (the reason says how much is needed).
        case skipped
        /// Attempted and failed; the previous CURRENT version keeps serving.
        case failed
    }

    /// One candidate's backtest, for the report and the manifest.
    package struct CandidateMetrics: Sendable, Codable {
        package var model: String
        package var raw: MetricSummary?
        /// Calibrated scores over the group (mean over its series and folds).
        package var calibrated: MetricSummary?
        /// Calibrated scores per series.
        package var series: [String: MetricSummary]?
        /// Raw and calibrated coverage of every held-out forecast (tables fitted on earlier origins only).
        package var heldOutCoverage: HeldOutCoverage?
        package var diagnostics: [String]
    }

    package var group: String
    package var status: Status
    /// Why the group was skipped or failed.
    package var reason: String?
    package var series: [String]
    package var candidates: [CandidateMetrics]
    package var selection: SelectionDecision?
    /// The registry version published, when trained.
    package var version: String?
    package var dataFingerprint: String?
    /// Held-out calibrated coverage of the published model (the winner, or the combination).
    package var heldOutCoverage: HeldOutCoverage?
    package var seconds: Double
    package var notes: [String]
    /// The group's section of the HTML evaluation report (fan charts, PIT, reliability); not in
    /// the JSON training report, which would otherwise repeat every backtest forecast.
    package var evaluation: GroupEvaluation?

    private enum CodingKeys: String, CodingKey {
        case group, status, reason, series, candidates, selection, version, dataFingerprint, heldOutCoverage, seconds, notes
    }

    package init(group: String, status: Status, reason: String? = nil, series: [String] = [],
                candidates: [CandidateMetrics] = [], selection: SelectionDecision? = nil, version: String? = nil,
                dataFingerprint: String? = nil, seconds: Double = 0, notes: [String] = []) {
        self.group = group
        self.status = status
        self.reason = reason
        self.series = series
        self.candidates = candidates
        self.selection = selection
        self.version = version
        self.dataFingerprint = dataFingerprint
        self.heldOutCoverage = nil
        self.seconds = seconds
        self.notes = notes
        self.evaluation = nil
    }
}
