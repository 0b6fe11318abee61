import Features
import Forecasting
import TimeSeries

/// The regressors a training job fits with: the calendar's holidays and events, the advance
/// notices the actuator stored, and optional hour-of-day / day-of-week columns — one
/// `FeatureSchema` per group, whose matrix is appended to each series' regressors and which
/// the manifest stores. The actuator computes the same columns from the same schema and events
/// (`GroupScorer`), so a notice posted later reaches the model through its learned coefficient.
///
/// Columns of a group: hour and weekday when asked for (time axis), `holiday` when the calendar
/// has holidays (time axis), then one column per event kind that applies to a series of the
/// group, in kind order: `<kind>_window` (1 inside the window), except notices, which give
/// `notice_multiplier` (multiplier − 1) when any of them carries a multiplier, so a notice's
/// stated size scales its learned effect; notices that give only levels keep `notice_window`.
public struct TrainingFeatures: Sendable {
    package var calendar: HolidayCalendar
    /// Calendar-file events and stored notices together.
    package var events: [Event]
    package var hourOfDay: CalendarEncoding?
    package var dayOfWeek: CalendarEncoding?
    package var fourier: [FourierTerm]

    public init(calendar: HolidayCalendar = .utc, events: [Event] = [], hourOfDay: CalendarEncoding? = nil,
                dayOfWeek: CalendarEncoding? = nil, fourier: [FourierTerm] = []) {
        self.calendar = calendar
        self.events = events
        self.hourOfDay = hourOfDay
        self.dayOfWeek = dayOfWeek
        self.fourier = fourier
    }

    /// The schema of a group of series (nil: no columns).
    package func schema(for inputs: [ForecastInput], group: String) throws -> FeatureSchema? {
        guard let axis = inputs.first?.series.grid.axis else { return nil }
        let applying = events.filter { e in inputs.contains { e.scope.applies(toSeries: $0.series.id, group: group) } }
        var columns: [EventFeature] = []
        for kind in Set(applying.map(\.kind)).sorted(by: { $0.rawValue < $1.rawValue }) {
            if kind == .notice, applying.contains(where: { $0.kind == .notice && $0.multiplier != nil }) {
                columns.append(EventFeature(kind: .notice, value: .multiplier))
            } else {
                columns.append(EventFeature(kind: kind))
            }
        }
        let time = axis == .time
        let holidays = time && !calendar.holidays.isEmpty
        guard !columns.isEmpty || holidays || !fourier.isEmpty || (time && (hourOfDay != nil || dayOfWeek != nil)) else { return nil }
        return try FeatureSchema(axis: axis, calendar: calendar, fourier: fourier, hourOfDay: time ? hourOfDay : nil,
                                 dayOfWeek: time ? dayOfWeek : nil, holidayFlag: holidays, events: columns)
    }

    /// The group with the schema's matrix appended to each series' regressors (over its history
    /// and `futureSteps` more rows), and the schema; unchanged when the schema has no columns.
    public func attach(to group: TrainingGroup, futureSteps: Int = 0) throws -> (TrainingGroup, FeatureSchema?) {
        guard let schema = try schema(for: group.inputs, group: group.name) else { return (group, nil) }
        var out = group
        for i in out.inputs.indices {
            let series = out.inputs[i].series
            let grid = TimeGrid(axis: series.grid.axis, start: series.grid.start, step: series.grid.step,
                                count: series.count + futureSteps)
            let features: FeatureMatrix
            do {
                features = try schema.matrix(for: grid, seriesID: series.id, group: group.name, events: events)
            } catch {
                throw PipelineError("\(series.id): cannot build features: \(error)")
            }
            if let existing = out.inputs[i].regressors {
                guard let joined = existing.appendingColumns(of: features) else {
                    throw PipelineError("\(series.id): its \(existing.rows) regressor rows do not match the \(features.rows) feature rows")
                }
                out.inputs[i].regressors = joined
            } else {
                out.inputs[i].regressors = features
            }
        }
        return (out, schema)
    }
}
