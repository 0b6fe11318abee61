import TimeSeries

// Whether an occurrence meets a window is `Features`' `Event.occurrences(overlapping:)` (UTC here),
// the same expansion the feature columns use.

extension Event {
    /// The end of the last possible occurrence, nil when the event recurs forever.
    package var activeUntil: Int64? {
        guard let recurrence else { return end }
        guard let until = recurrence.until else { return nil }
        let (duration, o1) = end.subtractingReportingOverflow(start)
        let (last, o2) = until.addingReportingOverflow(duration)
        return o1 || o2 ? nil : Swift.max(end, last)
    }
}
