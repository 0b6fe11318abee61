import Calibration
import Evaluation

/// What happened to one group in a training run: the report's row.
public struct GroupOutcome: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        /// A model was selected and published.
        case trained
        /// Not attempted: too little data (the reason says how much is needed).
        case skipped
        /// Attempted and failed; the previous CURRENT version keeps serving.
        case failed
    }

    /// One candidate's backtest, for the report and the manifest.
    public struct CandidateMetrics: Sendable, Codable {
        public var model: String
        public var raw: MetricSummary?
        /// Calibrated scores over the group (mean over its series and folds).
        public var calibrated: MetricSummary?
        /// Calibrated scores per series.
        public var series: [String: MetricSummary]?
        /// Raw and calibrated coverage of every held-out forecast (tables fitted on earlier origins only).
        public var heldOutCoverage: HeldOutCoverage?
        public var diagnostics: [String]
    }

    public var group: String
    public var status: Status
    /// Why the group was skipped or failed.
    public var reason: String?
    public var series: [String]
    public var candidates: [CandidateMetrics]
    public var selection: SelectionDecision?
    /// The registry version published, when trained.
    public var version: String?
    public var dataFingerprint: String?
    /// Held-out calibrated coverage of the published model (the winner, or the combination).
    public var heldOutCoverage: HeldOutCoverage?
    public var seconds: Double
    public var notes: [String]
    /// The group's section of the HTML evaluation report (fan charts, PIT, reliability); not in
    /// the JSON training report, which would otherwise repeat every backtest forecast.
    public var evaluation: GroupEvaluation?

    private enum CodingKeys: String, CodingKey {
        case group, status, reason, series, candidates, selection, version, dataFingerprint, heldOutCoverage, seconds, notes
    }

    public init(group: String, status: Status, reason: String? = nil, series: [String] = [],
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
