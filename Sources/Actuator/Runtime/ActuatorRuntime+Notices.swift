import Features
import TimeSeries

/// Which path each notice takes to a group's forecast (docs/actuator.md, "Notices and event
/// features"): a notice every component of the served model has a learned coefficient for goes
/// in as a regressor; any other notice is the explicit adjustment of the forecast. Never both.
extension ActuatorRuntime {
    /// A notice as the event the model's features read (what `submitNotice` stored).
    static func event(of notice: NoticeEffect, group: String) -> Event {
        Event(name: "notice", kind: .notice, start: notice.start, end: notice.end, scope: .groups([group]),
              multiplier: notice.multiplier, level: notice.level)
    }

    /// The notices of a group split by path: the events the model forecasts with (the calendar's
    /// and the learned notices'), the learned notices' ids, the notices to adjust explicitly, and
    /// every notice's route. Without notices nothing is looked up (the common case of a large fleet).
    func splitNotices(_ group: String, series: String, _ notices: [NoticeEffect], calendar: [Event], events: [Event])
        -> (events: [Event], learned: Set<Int64>, adjusted: [NoticeEffect], routes: [NoticeRoute]) {
        guard !notices.isEmpty else { return (calendar, [], [], []) }
        let routes = noticeRoutes(group, series: series, notices)
        var learned = Set<Int64>(), adjusted: [NoticeEffect] = []
        for (notice, route) in zip(notices, routes) {
            if route.path == .model { learned.insert(notice.id) } else { adjusted.append(notice) }
        }
        if adjusted.isEmpty { return (events, learned, [], routes) }
        // A notice the model cannot take as a whole is left out of its future rows: a component
        // that has its column must not carry a part of the effect the adjustment then adds again.
        let kept = calendar + notices.filter { learned.contains($0.id) }.map { Self.event(of: $0, group: group) }
        return (kept, learned, adjusted, routes)
    }

    /// The path of each notice, in order.
    func noticeRoutes(_ group: String, series: String, _ notices: [NoticeEffect]) -> [NoticeRoute] {
        let scorer = catalog.scorer(group: group)
        return notices.map { notice in
            guard let scorer else {
                return NoticeRoute(id: notice.id, path: .adjustment, reason: "no model is loaded")
            }
            guard scorer.usesFeatures else {
                return NoticeRoute(id: notice.id, path: .adjustment,
                                   reason: "the model (\(scorer.kind)) has no notice feature: it was trained without regressors")
            }
            guard FeatureSchema.positionLimit.contains(notice.start), FeatureSchema.positionLimit.contains(notice.end) else {
                return NoticeRoute(id: notice.id, path: .adjustment,
                                   reason: "its window lies outside the positions features cover (\(FeatureSchema.positionLimit))")
            }
            let event = Self.event(of: notice, group: group)
            if let learned = scorer.learnedColumns(of: event, seriesID: series) {
                return NoticeRoute(id: notice.id, path: .model, columns: learned.names)
            }
            let carried = notice.multiplier == nil ? "a level" : "a multiplier"
            return NoticeRoute(id: notice.id, path: .adjustment,
                               reason: "not every component of the model (\(scorer.components.joined(separator: ", "))) "
                                   + "has a learned coefficient for a notice that gives \(carried)")
        }
    }

    /// The forecast `GET /v1/forecasts/{group}` shows: the cycle's model forecast — scored again
    /// at once when the notices that reach the model changed since (a notice posted after the
    /// cycle) — with the explicit adjustments applied; the ids that changed it and every route.
    func servedForecast(group: String, base: ForecastDistribution, now: Int64)
        -> (forecast: ForecastDistribution, used: [Int64], routes: [NoticeRoute]) {
        let notices = noticeEffects(now: now)[group] ?? []
        guard let g = configuration.group(group) else { return (base, [], []) }
        let series = demandSeries(g)
        let calendar = calendarEvents.current
        let events = notices.isEmpty ? calendar : calendar + notices.map { Self.event(of: $0, group: group) }
        let split = splitNotices(group, series: series, notices, calendar: calendar, events: events)
        var forecast = base
        if split.learned != modelNotices[group] ?? [],
           let fresh = try? catalog.forecast(group: group, horizon: base.horizon, levels: base.levels,
                                             events: split.events)[series]?.get() {
            forecast = fresh
        }
        let (adjusted, changed) = forecast.applying(split.adjusted)
        // A learned notice counts as used when its feature window meets the forecast's steps.
        let first = forecast.grid.start, last = first + Int64(max(forecast.horizon - 1, 0)) * forecast.grid.step
        let scorer = catalog.scorer(group: group)
        let reached = notices.filter { n in
            guard split.learned.contains(n.id),
                  let columns = scorer?.learnedColumns(of: Self.event(of: n, group: group), seriesID: series) else { return false }
            return n.start - columns.lead <= last && n.end + columns.lag > first
        }.map(\.id)
        return (adjusted, Array(Set(changed).union(reached)).sorted(), split.routes)
    }
}
