/// How one notice reaches a group's forecast (`ForecastView.noticeEffects`).
///
/// Exactly one path per notice, never both: a model that learned a coefficient for notices was
/// fitted on data whose notice windows already carried their load, so its forecast holds the
/// effect; scaling it again by the stated multiplier would count the notice twice.
package struct NoticeRoute: Sendable, Hashable, Codable {
    package enum Path: String, Sendable, Hashable, Codable {
        /// A regressor of the served model: every component has a learned coefficient for it.
        case model
        /// The explicit adjustment: a multiplier scales the forecast, a level raises its median.
        case adjustment
    }

    package var id: Int64
    package var path: Path
    /// The model's feature columns that carry the notice (`model` path only).
    package var columns: [String]?
    /// Why the notice takes the explicit adjustment (`adjustment` path only).
    package var reason: String?

    package init(id: Int64, path: Path, columns: [String]? = nil, reason: String? = nil) {
        self.id = id
        self.path = path
        self.columns = columns
        self.reason = reason
    }
}
