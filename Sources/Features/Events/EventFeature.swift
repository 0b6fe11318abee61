import TimeSeries

/// One feature column built from the events of one kind (promotions, notices, …).
///
/// The column is non-zero inside each occurrence's *window*: from `lead` before its start to
/// `lag` after its end, in axis units (seconds on a time axis, steps on an index axis).
/// With `shape == .step` the full value holds over the whole window; with `.ramp` it rises
/// linearly from 0 at `start − lead` to full at `start`, and falls from full at `end` to 0 at
/// `end + lag` (the last in-window position stays above 0).
package struct EventFeature: Sendable, Hashable, Codable {
    /// What the column carries inside a window.
    package enum Value: String, Sendable, Hashable, Codable {
        /// 1 inside the window.
        case indicator
        /// `multiplier − 1` (0 = no change); events without a multiplier are ignored.
        case multiplier
        /// The event's absolute `level`; events without a level are ignored.
        case level
    }

    /// How the value behaves over the lead and lag parts of the window.
    package enum Shape: String, Sendable, Hashable, Codable { case step, ramp }

    package var kind: Event.Kind
    package var value: Value
    /// How long before an occurrence starts the feature is already on (axis units, ≥ 0).
    package var lead: Int64
    /// How long after an occurrence ends the feature stays on (axis units, ≥ 0).
    package var lag: Int64
    package var shape: Shape
    /// The column name, `<kind>_window`, `<kind>_multiplier` or `<kind>_level` unless given.
    package var name: String

    package init(kind: Event.Kind, value: Value = .indicator, lead: Int64 = 0, lag: Int64 = 0,
                shape: Shape = .step, name: String? = nil) {
        self.kind = kind
        self.value = value
        self.lead = lead
        self.lag = lag
        self.shape = shape
        self.name = name ?? "\(kind.rawValue)_\(value == .indicator ? "window" : value.rawValue)"
    }

    /// The full in-window value an event contributes, or nil when it carries none (an event of
    /// another kind, or a `.multiplier`/`.level` column and an event without that value).
    package func magnitude(of event: Event) -> Double? {
        guard event.kind == kind else { return nil }
        switch value {
        case .indicator: return 1
        case .multiplier:
            guard let m = event.multiplier, m.isFinite else { return nil }
            return m - 1
        case .level:
            guard let l = event.level, l.isFinite else { return nil }
            return l
        }
    }
}
