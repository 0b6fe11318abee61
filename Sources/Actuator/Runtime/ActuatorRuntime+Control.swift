import Calibration
import Foundation
import MetricStore
import ModelRegistry
import Scaling
import TimeSeries

/// The HTTP API's view of the running actuator (docs/api.md). Notices are stored as events and
/// apply from the next cycle on (and at once to `GET /v1/forecasts`, re-scored when the model
/// takes the notice as a feature); pushed demand is what the next cycle sizes and triggers on.
extension ActuatorRuntime: ActuatorControl {
    nonisolated public func groups() async -> [String] { configuration.groups.map(\.name) }
    nonisolated public func manages(group: String) async -> Bool { groupNames.contains(group) }

    /// Stores the notice (group commit: answered once the transaction holding it is durable; the
    /// commit drops the group's cached forecast before that, so that no later read shows a
    /// forecast without it). Runs outside the actor: a notice never waits for a cycle.
    nonisolated public func submitNotice(_ notice: NoticeRequest) async throws(ControlError) -> NoticeView {
        guard configuration.group(notice.group) != nil else { throw ControlError(.notFound, "unknown group \(notice.group)") }
        let event = Event(name: "notice", kind: .notice, start: notice.start, end: notice.end,
                          scope: .groups([notice.group]), multiplier: notice.multiplier, level: notice.level, note: notice.note)
        let created = clock.now()
        let id: Int64
        do {
            id = try await noticeWriter.insert(event, createdAt: created)
        } catch {
            throw ControlError(error.code == .invalidEvent ? .invalid : .unavailable, "\(error)")
        }
        return NoticeView(id: id, group: notice.group, start: notice.start, end: notice.end, multiplier: notice.multiplier,
                          level: notice.level, note: notice.note, createdAt: created)
    }

    /// Group commits of API notices since the start (batch sizes show in events / commits).
    nonisolated package var noticeCommits: EventCommitQueue.Statistics { noticeWriter.statistics }

    /// Forecast reads served from the cache and computed, since the start.
    nonisolated package var forecastReads: (cached: Int, computed: Int) {
        let s = forecastViews.statistics
        return (s.hits, s.misses)
    }

    public func notices(group: String?) async throws(ControlError) -> [NoticeView] {
        if let group, configuration.group(group) == nil { throw ControlError(.notFound, "unknown group \(group)") }
        let scope: EventScopeFilter = group.map { .group($0) } ?? .any
        return try control(.unavailable) { try store.events(kind: .notice, scope: scope) }.map(NoticeView.init)
    }

    /// From the cache while no cycle, notice or interval has passed since it was computed;
    /// otherwise computed on the actor.
    nonisolated public func forecast(group: String) async throws(ControlError) -> ForecastView {
        guard configuration.group(group) != nil else { throw ControlError(.notFound, "unknown group \(group)") }
        // No model loaded means no forecast to serve — said as such, never an empty 200.
        guard catalog.scorer(group: group) != nil else {
            let reason = catalog.lastError(group: group)?.message ?? "nothing published for it in \(configuration.registry)"
            throw ControlError(.unavailable, "group \(group) has no servable model: \(reason)")
        }
        if let cached = forecastViews.view(group, now: clock.now()) { return cached }
        return await computeForecastView(group: group)
    }

    /// The group's last scored forecast with the notices applied, kept in the cache.
    func computeForecastView(group: String) -> ForecastView {
        let now = clock.now()
        // Reads that missed together queue here: the first computes, the others find its view.
        if let cached = forecastViews.view(group, now: now, counting: false) { return cached }
        let token = forecastViews.token(for: group)
        let view = forecastView(group: group, now: now)
        forecastViews.store(view, group: group, token: token, validUntil: now + configuration.interval)
        return view
    }

    private func forecastView(group: String, now: Int64) -> ForecastView {
        let state = sizer.state(of: group)
        let calibration = CalibrationView(targetLevel: configuration.sizing.costs.criticalRatio, currentLevel: state.aci.level,
                                          observedCoverage: state.aci.observedCoverage, intervals: state.aci.observations)
        let version = catalog.version(group: group)
        let kind = catalog.scorer(group: group)?.kind
        guard let base = forecasts[group] else {
            return ForecastView(group: group, modelVersion: version?.id, modelKind: kind, calibration: calibration,
                                notices: [], steps: [])
        }
        let (adjusted, used, routes) = servedForecast(group: group, base: base, now: now)
        let names = adjusted.levels.map(ForecastView.levelName)  // String(format:) is slow: once per level
        let steps = (0..<adjusted.horizon).map { h in
            ForecastView.Step(step: h + 1, time: adjusted.grid.start + Int64(h) * adjusted.grid.step, mean: adjusted.mean[h],
                              quantiles: Dictionary(uniqueKeysWithValues: zip(names, adjusted.quantiles[h])))
        }
        return ForecastView(group: group, modelVersion: version?.id, modelKind: kind, calibration: calibration,
                            notices: used, noticeEffects: routes, steps: steps, memory: memoryView(group: group))
    }

    public func shadows() async throws(ControlError) -> [ShadowView] {
        let routes = Dictionary(((try? store.routes()) ?? []).map { ($0.shadowID, $0) }, uniquingKeysWith: { a, _ in a })
        return try control(.unavailable) { try store.shadows() }.map { s in
            var view = ShadowView(s)
            view.routing = routes[s.id]?.state.rawValue
            return view
        }
    }

    public func activate(shadowID: String, requestID: String?) async throws(ControlError) -> ActivationView {
        guard !dryRun else { throw ControlError(.conflict, "the actuator runs with --dry-run: nothing is activated") }
        let id = requestID ?? "api-\(UUID().uuidString.lowercased())"
        if let existing = try control(.unavailable, { try store.activation(id: id) }), existing.shadowID != shadowID {
            throw ControlError(.conflict, "request id \(id) was used for shadow \(existing.shadowID)")
        }
        do {
            let record = try await activator.activate(shadowID: shadowID, activationID: id)
            if record.outcome == .succeeded {
                ledger.recordActivation(group: record.group, servedUnits: servedUnits(record))
            }
            metrics.recordActivation(record)
            latencySamples.add(record)
            var view = ActivationView(record)
            if let route = try? store.route(activation: id) {
                view.routing = route.state.rawValue
                view.routingError = route.error
            }
            return view
        } catch {
            if let record = error.record { metrics.recordActivation(record) }
            switch error.kind {
            case .noShadow: throw ControlError(.notFound, error.message)
            case .notReady: throw ControlError(.conflict, error.message)
            case .store: throw ControlError(.unavailable, error.message)
            case .stepFailed:
                if let record = error.record { return ActivationView(record) }
                throw ControlError(.unavailable, error.message)
            }
        }
    }

    public func hosts() async throws(ControlError) -> [HostView] {
        try control(.unavailable) { try store.hostAvailability() }.map { a in
            HostView(a)
        }
    }

    /// `demand_units` (or the group's `demand_metric`, converted by `units_per_metric`) sets the
    /// group's live demand; `running_units` the capacity of its regular VMs beyond `running`.
    /// Other metrics are accepted and stored only.
    public func pushMetrics(_ samples: [MetricSample]) async throws(ControlError) -> Int {
        let now = clock.now()
        for s in samples {
            guard let group = configuration.group(s.group) else { throw ControlError(.notFound, "unknown group \(s.group)") }
            guard s.value.isFinite else { throw ControlError(.invalid, "\(s.group)/\(s.metric): the value must be finite") }
            let time = s.time ?? now
            if s.metric == group.demandMetric || s.metric == "demand_units" {
                let units = s.metric == "demand_units" ? s.value : s.value * group.unitsPerMetric
                if let last = demand[s.group], last.time > time { continue } // an older sample does not replace a newer one
                observe(group: s.group, demand: units, at: time)
            } else if s.metric == "running_units" {
                setExtraRunning(group: s.group, units: s.value - group.running)
            }
        }
        let series = samples.map { s in
            Series(id: "\(s.group)/\(s.metric)", grid: TimeGrid(axis: .time, start: s.time ?? now, step: 1, count: 1),
                   values: [s.value], metric: s.metric, group: s.group)
        }
        _ = try control(.unavailable) { try store.insert(series) }
        return samples.count
    }

    public func health() async -> HealthView {
        var checks: [String: String] = [:]
        checks["store"] = (try? store.check()) != nil ? "ok" : "failing"
        let statuses = Dictionary(((try? store.hosts()) ?? []).map { ($0.name, $0.status) }, uniquingKeysWith: { a, _ in a })
        for host in configuration.hosts where host.enabled {
            var check = hostProblems[host.name] ?? (hypervisors[host.name] != nil ? "ok" : "not connected")
            if check == "ok", let status = statuses[host.name], status.state != .up {
                check = status.state == .lost ? "lost at \(status.lostAt ?? 0): \(status.lastError ?? "")"
                    : "unreachable since \(status.unreachableSince ?? 0): \(status.lastError ?? "")"
            }
            checks["host \(host.name)"] = check
        }
        for g in configuration.groups {
            if let error = catalog.lastError(group: g.name) { checks["model \(g.name)"] = "\(error)" }
            else { checks["model \(g.name)"] = catalog.version(group: g.name).map { "serving \($0.id)" } ?? "no model" }
        }
        if let keeper = leaseKeeper {
            let pass = keeper.last
            checks["leases"] = pass.error.map { "cannot renew or take leases: \($0)" } ?? "ok"
            checks["leases held"] = "serving \(pass.held) of \(configuration.groups.count) group(s), share \(pass.share), "
                + "\(pass.live.count) live actuator(s)"
            for (group, conflict) in pass.conflicts { checks["lease \(group)"] = conflict }
        }
        let failing = checks["store"] != "ok" || hypervisors.isEmpty
        let degraded = checks.values.contains { $0 != "ok" && !$0.hasPrefix("serving") }
        return HealthView(status: failing ? "failing" : degraded ? "degraded" : "ok", checks: checks)
    }

    func control<T>(_ kind: ControlError.Kind, _ body: () throws -> T) throws(ControlError) -> T {
        do { return try body() } catch { throw ControlError(kind, "\(error)") }
    }
}
