import Actuator
import Foundation
import MetricStore
import TimeSeries

/// An `ActuatorControl` that **stands in for the actuator runtime** in the API's tests and in the
/// fuzz and load scripts (bench/api-fuzz.sh, bench/api-load.sh), until `psm-actuator` serves the
/// real one. It never makes scaling decisions or touches a hypervisor.
///
/// It is backed by real parts where they are cheap: notices are `Event(kind: .notice)` rows of a
/// real `MetricStore`; hosts, shadows and activations are the store's inventory rows, so an
/// activation claims a shadow once and a retried request id returns the same activation
/// (`beginActivation` / `finishActivation`); pushed samples are stored as series `group/metric`
/// at one-second steps. Its forecast is synthetic (a daily wave around a per-group base level) but
/// notices change it as the runtime's will: a multiplier scales the steps it covers, a level
/// replaces them. Like the runtime, it serves a group's forecast from memory, recomputing it when
/// the grid moves to the next step or a notice for the group arrives (the runtime re-scores then).
public final class StandInControl: ActuatorControl {
    public let store: any ActuatorStore
    private let groupList: [String]
    private let now: @Sendable () -> Int64
    private let cache = ForecastCache()

    /// Forecast steps and their length in seconds.
    public static let horizon = 12
    public static let step: Int64 = 300
    /// The quantile levels the forecast reports.
    public static let levels: [(name: String, z: Double)] = [("0.05", -1.6449), ("0.5", 0), ("0.95", 1.6449)]

    /// - Parameters:
    ///   - groups: the groups it manages; each gets `shadowsPerGroup` ready shadows on host `h1`.
    ///   - now: Unix seconds (injected so tests control time).
    public init(store: any ActuatorStore, groups: [String], shadowsPerGroup: Int = 2,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws(MetricStoreError) {
        self.store = store
        self.groupList = groups
        self.now = now
        let t = now()
        let count = Int64(max(1, groups.count * shadowsPerGroup))
        try store.upsertHost(HostRecord(name: "h1", uri: "test:///default",
                                        capacity: CapacityAmount(vcpus: 8 * count, memoryMiB: 8192 * count, units: 100 * count),
                                        load: CapacityAmount(vcpus: 2, memoryMiB: 2048, units: 20), updatedAt: t))
        for group in groups {
            for n in 0..<shadowsPerGroup {
                let id = "\(group)-s\(n + 1)"
                guard try store.shadow(id: id) == nil else { continue }
                let record = ShadowRecord(id: id, group: group, host: "h1", domainName: "psm-\(id)", state: .ready,
                                          baselineVCPUs: 1, baselineMemoryMiB: 1024, fullVCPUs: 4, fullMemoryMiB: 4096,
                                          reservedUnits: 40, createdAt: t, updatedAt: t)
                _ = try store.reserve(shadow: record, on: "h1", at: t)
            }
        }
    }

    public func groups() async -> [String] { groupList }

    public func submitNotice(_ notice: NoticeRequest) async throws(ControlError) -> NoticeView {
        let event = Event(name: "notice", kind: .notice, start: notice.start, end: notice.end,
                          scope: .groups([notice.group]), multiplier: notice.multiplier, level: notice.level,
                          note: notice.note)
        let created = now()
        let ids = try run(.invalid) { try store.insert(events: [event], createdAt: created) }
        cache.invalidate(notice.group)
        guard let id = ids.first else { throw ControlError(.unavailable, "the store returned no id for the notice") }
        return NoticeView(id: id, group: notice.group, start: notice.start, end: notice.end, multiplier: notice.multiplier,
                          level: notice.level, note: notice.note, createdAt: created)
    }

    public func notices(group: String?) async throws(ControlError) -> [NoticeView] {
        let scope: EventScopeFilter = group.map { .group($0) } ?? .any
        let stored = try run(.unavailable) { try store.events(kind: .notice, scope: scope) }
        return stored.map(NoticeView.init)
    }

    public func forecast(group: String) async throws(ControlError) -> ForecastView {
        guard let index = groupList.firstIndex(of: group) else { throw ControlError(.notFound, "unknown group \(group)") }
        let origin = now() / Self.step * Self.step
        if let cached = cache.view(group, origin: origin) { return cached }
        let end = origin + Int64(Self.horizon + 1) * Self.step
        let notices = try run(.unavailable) {
            try store.events(kind: .notice, overlapping: (origin + Self.step)..<end, scope: .group(group))
        }
        let base = 100 + 20 * Double(index % 5)
        var used: Set<Int64> = []
        var steps: [ForecastView.Step] = []
        for k in 1...Self.horizon {
            let time = origin + Int64(k) * Self.step
            let phase = Double(time % 86_400) / 86_400 * 2 * Double.pi
            var mean = base * (1 + 0.3 * sin(phase))
            var sd = 0.1 * mean
            for notice in notices where notice.event.start <= time && time < notice.event.end {
                used.insert(notice.id)
                if let level = notice.event.level {
                    (mean, sd) = (level, 0.1 * level)
                } else if let m = notice.event.multiplier {
                    (mean, sd) = (mean * m, sd * m)
                }
            }
            let quantiles = Dictionary(uniqueKeysWithValues: Self.levels.map { ($0.name, max(0, mean + $0.z * sd)) })
            steps.append(.init(step: k, time: time, mean: mean, quantiles: quantiles))
        }
        let view = ForecastView(group: group, modelVersion: "stand-in", modelKind: "stand-in",
                                calibration: CalibrationView(targetLevel: 0.952, currentLevel: 0.952, observedCoverage: nil,
                                                             intervals: 0),
                                notices: used.sorted(), steps: steps)
        cache.store(view, origin: origin)
        return view
    }

    public func shadows() async throws(ControlError) -> [ShadowView] {
        try run(.unavailable) { try store.shadows() }.map(ShadowView.init)
    }

    public func activate(shadowID: String, requestID: String?) async throws(ControlError) -> ActivationView {
        try await activate(shadowID: shadowID, requestID: requestID, target: nil)
    }

    /// The group's oldest ready shadow, to `capacity` (clamped within its baseline and full size as
    /// the real activator does).
    public func activate(group: String, requestID: String?, capacity: ActivationCapacity?) async throws(ControlError) -> ActivationView {
        if let requestID, let existing = try run(.unavailable, { try store.activation(id: requestID) }) {
            guard existing.group == group else {
                throw ControlError(.conflict, "request id \(requestID) was used for group \(existing.group)")
            }
            return ActivationView(existing)
        }
        let ready = try run(.unavailable) { try store.shadows(group: group, states: [.ready]) }
        guard let first = ready.min(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) else {
            throw ControlError(.conflict, "group \(group) has no ready shadow")
        }
        let target = capacity.map { ActivationTarget(units: $0.units, vcpus: $0.vcpus, memoryMiB: $0.memoryMiB.map(Double.init)) }
        return try await activate(shadowID: first.id, requestID: requestID, target: target)
    }

    func activate(shadowID: String, requestID: String?, target: ActivationTarget?) async throws(ControlError) -> ActivationView {
        let id = requestID ?? UUID().uuidString
        let t = now()
        let claim = try run(.unavailable) { try store.beginActivation(id: id, shadow: shadowID, at: t) }
        switch claim {
        case .refused(nil):
            throw ControlError(.notFound, "no shadow \(shadowID)")
        case .refused(let state?):
            throw ControlError(.conflict, "shadow \(shadowID) is \(state.rawValue), not ready")
        case .existing(let record):
            guard record.shadowID == shadowID else {
                throw ControlError(.conflict, "request id \(id) was used for shadow \(record.shadowID)")
            }
            return ActivationView(record)
        case .started(let record):
            // No hypervisor here: the activation succeeds at once.
            let latencies = ["scale": 0.001, "resume": 0.002, "route": 0.0005]
            if let shadow = try run(.unavailable, { try store.shadow(id: shadowID) }) {
                let full = ActivationSize(vcpus: shadow.fullVCPUs, memoryMiB: shadow.fullMemoryMiB)
                let predicted = target.flatMap { ActivationSizing.predicted($0, full: full, units: shadow.reservedUnits) }
                let applied = ActivationSizing.applied(predicted, baseline: ActivationSize(vcpus: shadow.baselineVCPUs,
                                                                                           memoryMiB: shadow.baselineMemoryMiB),
                                                       full: full)
                _ = try run(.unavailable) { try store.recordActivationSize(id: record.id, predicted: predicted, applied: applied) }
            }
            _ = try run(.unavailable) {
                try store.finishActivation(id: record.id, outcome: .succeeded, stepLatencies: latencies, at: t)
            }
            let finished = try run(.unavailable) { try store.activation(id: record.id) } ?? record
            return ActivationView(finished)
        }
    }

    public func hosts() async throws(ControlError) -> [HostView] {
        try run(.unavailable) { try store.hostAvailability() }.map { a in
            HostView(a)
        }
    }

    public func pushMetrics(_ samples: [MetricSample]) async throws(ControlError) -> Int {
        let t = now()
        let series = samples.map { s in
            Series(id: "\(s.group)/\(s.metric)", grid: TimeGrid(axis: .time, start: s.time ?? t, step: 1, count: 1),
                   values: [s.value], metric: s.metric, group: s.group)
        }
        _ = try run(.invalid) { try store.insert(series) }
        return samples.count
    }

    public func health() async -> HealthView {
        HealthView(status: "ok", checks: ["store": "ok", "runtime": "stand-in"])
    }

    // MARK: - Helpers

    /// Runs a store call, reporting its failure as a control error of `kind`.
    private func run<T>(_ kind: ControlError.Kind, _ body: () throws -> T) throws(ControlError) -> T {
        do { return try body() } catch { throw ControlError(kind, "\(error)") }
    }
}

/// The forecasts computed per group and the grid origin they start from.
private final class ForecastCache: @unchecked Sendable {
    private let lock = NSLock()
    private var views: [String: (origin: Int64, view: ForecastView)] = [:]

    func view(_ group: String, origin: Int64) -> ForecastView? {
        lock.withLock { views[group].flatMap { $0.origin == origin ? $0.view : nil } }
    }

    func store(_ view: ForecastView, origin: Int64) {
        lock.withLock { views[view.group] = (origin, view) }
    }

    func invalidate(_ group: String) {
        _ = lock.withLock { views.removeValue(forKey: group) }
    }
}
