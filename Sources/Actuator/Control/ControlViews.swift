import Foundation
import MetricStore
import TimeSeries

extension NoticeView {
    /// The view of a stored notice (an `Event` of kind notice scoped to one group).
    package init(_ stored: StoredEvent) {
        var group = ""
        if case .groups(let groups) = stored.event.scope, let first = groups.first { group = first }
        self.init(id: stored.id, group: group, start: stored.event.start, end: stored.event.end,
                  multiplier: stored.event.multiplier, level: stored.event.level, note: stored.event.note,
                  createdAt: stored.createdAt)
    }
}

extension ShadowView {
    package init(_ s: ShadowRecord) {
        self.init(id: s.id, group: s.group, host: s.host, domain: s.domainName, state: s.state.rawValue,
                  baseline: .init(vcpus: s.baselineVCPUs, memoryMiB: s.baselineMemoryMiB),
                  full: .init(vcpus: s.fullVCPUs, memoryMiB: s.fullMemoryMiB), reservedUnits: s.reservedUnits,
                  createdAt: s.createdAt, activationID: s.activationID)
    }
}

extension ActivationView {
    /// Step latencies in milliseconds; the total is the recorded `total` step when present.
    package init(_ a: ActivationRecord) {
        let ms = a.stepLatencies.mapValues { $0 * 1000 }
        let total = ms["total"] ?? (a.outcome == nil ? nil : ms.values.reduce(0, +))
        self.init(activationID: a.id, shadowID: a.shadowID, group: a.group, outcome: a.outcome?.rawValue,
                  stepLatenciesMs: ms, totalMs: a.outcome == nil ? nil : total,
                  predicted: a.predicted.map { SizeView(vcpus: $0.vcpus, memoryMiB: $0.memoryMiB) },
                  applied: a.applied.map { SizeView(vcpus: $0.vcpus, memoryMiB: $0.memoryMiB) })
    }
}

extension ForecastView {
    /// A quantile level as the API names it ("0.05", "0.5", "0.95").
    package static func levelName(_ level: Double) -> String {
        var s = String(format: "%.4f", level)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
