import Calibration
import MetricStore
import TimeSeries

/// The size an activation is asked to give one VM (docs/actuator.md, "Activation"): what the
/// runtime predicts from the forecast, or what `POST /v1/groups/{group}/activate` names.
///
/// `vcpus` wins over `units`; memory is `memoryMiB`, else `units` × `memoryMiBPerUnit`, else the
/// shadow's full memory (never less memory than asked for when nothing says how much is needed).
public struct ActivationTarget: Sendable, Hashable, Codable {
    /// Capacity units the VM should serve; vCPUs = ⌈units / shadow's units × full vCPUs⌉.
    package var units: Double?
    /// vCPUs asked for directly.
    package var vcpus: Int64?
    /// Memory (MiB) asked for directly.
    package var memoryMiB: Double?
    /// MiB one capacity unit uses (measured by the collector, or from the memory forecast), for
    /// `units` without `memoryMiB`.
    package var memoryMiBPerUnit: Double?

    package init(units: Double? = nil, vcpus: Int64? = nil, memoryMiB: Double? = nil, memoryMiBPerUnit: Double? = nil) {
        self.units = units
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.memoryMiBPerUnit = memoryMiBPerUnit
    }
}

/// The pure arithmetic of activating to the predicted size: the demand to cover, one VM's share of
/// it, the size that share needs, and the size the scale step applies.
package enum ActivationSizing {
    /// The demand an activation must cover (capacity units): the live demand and the forecast's
    /// `level` quantile at every step within `leadTime` (steps 1…⌈leadTime / step⌉, at least 1,
    /// at most the horizon), whichever is largest — the trigger's own activation horizon. Nil when
    /// none of them is a finite number.
    package static func demandPeak(live: Double, forecast: ForecastDistribution?, level: Double?,
                                  leadTime: Int64, step: Int64) -> Double? {
        var peak: Double? = live.isFinite ? live : nil
        if let forecast, let level, step > 0, forecast.horizon >= 1 {
            let lead = min(max(leadTime, 0), Int64(Int32.max))
            let steps = max(1, min(forecast.horizon, Int((lead + step - 1) / step)))
            for h in 1...steps {
                guard let q = forecast.interpolatedQuantile(level: level, step: h)?.value, q.isFinite else { continue }
                peak = max(peak ?? q, q)
            }
        }
        return peak
    }

    /// The capacity units each of `count` VMs being activated must add so that `peak` sits at the
    /// trigger's threshold θ of the new capacity: (peak / θ − running) / count, at least 0. Nil for
    /// a non-finite input, θ ∉ (0, 1] or count < 1.
    package static func share(peak: Double, running: Double, threshold: Double, count: Int) -> Double? {
        guard peak.isFinite, running.isFinite, threshold > 0, threshold <= 1, count >= 1 else { return nil }
        return max(0, (peak / threshold - max(running, 0)) / Double(count))
    }

    /// What `target` asks of a shadow whose full size is `full` and which serves `units` capacity
    /// units at that size — before clamping. vCPUs not named (only memory given) are the full
    /// vCPUs. Nil when the target names nothing, or units this shadow cannot convert (it has no
    /// units, or the value is not finite): the full size.
    package static func predicted(_ target: ActivationTarget, full: ActivationSize, units: Int64) -> ActivationSize? {
        let vcpus: Int64
        if let v = target.vcpus {
            vcpus = max(v, 0)
        } else if let u = target.units {
            guard u.isFinite, units > 0, full.vcpus > 0 else { return nil }
            vcpus = ceilCount(max(u, 0) / Double(units) * Double(full.vcpus))
        } else if target.memoryMiB != nil {
            vcpus = full.vcpus
        } else {
            return nil
        }
        var memory = full.memoryMiB
        if let m = target.memoryMiB, m.isFinite {
            memory = ceilCount(max(m, 0))
        } else if let u = target.units, u.isFinite, let perUnit = target.memoryMiBPerUnit, perUnit.isFinite, perUnit >= 0 {
            memory = ceilCount(max(u, 0) * perUnit)
        }
        return ActivationSize(vcpus: vcpus, memoryMiB: memory)
    }

    /// The size the scale step sets: `predicted` clamped to [baseline, full] in each resource (at
    /// least one vCPU), or the full size when nothing was predicted.
    package static func applied(_ predicted: ActivationSize?, baseline: ActivationSize, full: ActivationSize) -> ActivationSize {
        guard let predicted else { return full }
        func clamp(_ x: Int64, _ low: Int64, _ high: Int64) -> Int64 { min(max(x, min(low, high)), high) }
        return ActivationSize(vcpus: clamp(predicted.vcpus, max(baseline.vcpus, 1), full.vcpus),
                              memoryMiB: clamp(predicted.memoryMiB, baseline.memoryMiB, full.memoryMiB))
    }

    /// One line for `psm-actuator explain`: the activation, its outcome, and the sizes asked for
    /// and set.
    package static func explanation(_ a: ActivationRecord) -> String {
        let outcome = a.outcome?.rawValue ?? "in progress"
        let size: String
        switch (a.predicted, a.applied) {
        case (let p?, let applied?) where p == applied: size = "predicted and applied \(applied)"
        case (let p?, let applied?): size = "predicted \(p) → applied \(applied) (within baseline…full)"
        case (nil, let applied?): size = "full size \(applied) (no prediction)"
        case (let p?, nil): size = "predicted \(p), not applied"
        case (nil, nil): size = "size not recorded"
        }
        return "activation \(a.id) of \(a.shadowID) at \(a.requestedAt): \(outcome); \(size)"
    }

    /// ⌈x⌉ with a ratio within 1e-9 of an integer counting as that integer (as `Shortfall` does),
    /// saturating at Int64.max / 2.
    static func ceilCount(_ x: Double) -> Int64 {
        guard x > 0 else { return 0 }
        guard x < Double(Int64.max / 2) else { return Int64.max / 2 }
        let nearest = x.rounded()
        return abs(x - nearest) < 1e-9 ? Int64(nearest) : Int64(x.rounded(.up))
    }
}
