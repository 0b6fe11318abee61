import Foundation

/// One group's sizing decision with every step's value, so the pool size can be explained later.
public struct SizingDecision: Sendable, Hashable, Codable {
    public var group: String
    /// Unix seconds of the decision (the sizer's clock).
    public var time: Int64
    public var target: NewsvendorTarget
    public var quantile: DemandQuantile
    /// Running capacity and shadow unit, in capacity units.
    public var running: Double
    public var unit: Double
    /// Shadows that existed when the decision was taken.
    public var currentPool: Int
    /// Nil when the quantile was not finite or an input was invalid (`rawTarget` says what was done).
    package var shortfall: Shortfall?
    /// Shadows the demand quantile asks for before any clip.
    package var rawTarget: Int
    /// Why the raw target is not a shortfall (unbounded level, unusable input); nil otherwise.
    package var diagnostic: String?
    public var bounds: GroupBounds
    package var afterBounds: Int
    package var hysteresis: HysteresisStep
    public var budget: BudgetStep
    public var capacity: CapacityStep
    /// The pool size decided.
    public var final: Int
    /// Where the running capacity came from (configured, or measured by the collector).
    package var runningSource: RunningSource? = nil
    /// `park = "auto"`: the mode this cycle chose for the group's new shadows, and the figures compared.
    package var park: ParkChoice? = nil
    /// The memory side and the binding resource (groups with a memory model); nil: CPU alone.
    public var memory: MemorySizing? = nil
    /// The trigger's forecast level from the costs (`[actuator.costs] run` set); nil: as configured.
    package var ahead: AheadLevel? = nil

    package var criticalRatio: Double { target.criticalRatio }
    package var correctedLevel: Double { target.correctedLevel }
    package var quantileValue: Double? { quantile.value }
    public var afterHysteresis: Int { hysteresis.result }
    public var afterBudget: Int { budget.after }
    package var afterCapacity: Int { capacity.after }

    /// One line per step, in the order they were applied.
    ///
    /// Computed rather than stored so a 10,000-group cycle does not format strings nobody reads;
    /// the encoded JSON carries it under `explanation`.
    public var explanation: [String] {
        var lines: [String] = []
        let t = target
        var first = "τ = \(fmt(t.criticalRatio)) from c_miss \(fmt(t.missCost)), c_reserve \(fmt(t.reserveCost)); "
        if let coverage = t.observedCoverage {
            let moved = abs(t.correctedLevel - t.criticalRatio) > 5e-4
            first += (moved ? "ACI moved it to \(fmt(t.correctedLevel))" : "ACI keeps it at \(fmt(t.correctedLevel))")
                + " (observed coverage \(percent(coverage)) vs target \(percent(t.criticalRatio)) over \(t.observations) intervals)"
        } else {
            first += "ACI has seen no outcome yet, level \(fmt(t.correctedLevel))"
        }
        lines.append(first)

        let q = quantile
        let window = "within \(q.leadTime) s (\(q.windowSteps) step\(q.windowSteps == 1 ? "" : "s"))"
        switch q.kind {
        case .finite:
            let tail = q.extrapolated ? " (beyond the forecast's levels: Gaussian tail)" : ""
            if let largest = q.largestStep {
                lines.append("q\(fmt(q.level)) of the maximum demand \(window), steps taken independent = "
                             + "\(fmt(q.value ?? .nan)) units (largest step's q\(fmt(q.level)) \(fmt(largest)))\(tail)")
            } else {
                let at = q.step.map { q.windowSteps > 1 ? ", largest at step \($0)" : "" } ?? ""
                lines.append("q\(fmt(q.level)) of demand \(window)\(at) = \(fmt(q.value ?? .nan)) units\(tail)")
            }
        case .unboundedAbove:
            lines.append("ACI level \(fmt(q.level)) ≥ 1: the quantile is +∞, size at the group maximum")
        case .unboundedBelow:
            lines.append("ACI level \(fmt(q.level)) ≤ 0: the quantile is −∞, no reserve")
        case .unavailable:
            lines.append("no usable demand quantile \(window)")
        }

        if let source = runningSource { lines.append("running capacity \(fmt(source.total)) (sized at θ: \(fmt(running))) = \(source)") }
        if let s = shortfall {
            if s.shortUnits > 0 {
                lines.append("running \(fmt(s.running)) → short \(fmt(s.shortUnits)) units = \(s.shadows) shadow\(s.shadows == 1 ? "" : "s") (unit \(fmt(s.unit)))")
            } else {
                lines.append("running \(fmt(s.running)) covers it (spare \(fmt(-s.shortUnits)) units) → 0 shadows (unit \(fmt(s.unit)))")
            }
        } else {
            lines.append("raw target \(rawTarget): \(diagnostic ?? "no shortfall computed")")
        }
        if let memory { lines.append(memory.line) }

        let b = bounds
        if rawTarget < b.minimum {
            lines.append("raised to the group minimum: bounds \(b.minimum)…\(b.maximum) → \(afterBounds)")
        } else if rawTarget > b.maximum {
            lines.append("cut to the group maximum: bounds \(b.minimum)…\(b.maximum) → \(afterBounds)")
        } else {
            lines.append("within bounds \(b.minimum)…\(b.maximum) → \(afterBounds)")
        }

        let h = hysteresis
        switch h.action {
        case .scaleUp:
            lines.append("hysteresis: scale-up from \(h.current), no delay → \(h.result)")
        case .steady:
            lines.append("hysteresis: steady at \(h.result)")
        case .holding:
            lines.append("hysteresis: holding \(h.current); target \(h.target) lower for \(h.lowerFor ?? 0) s of a \(h.cooldown) s cooldown → \(h.result)")
        case .scaleDown:
            lines.append("hysteresis: scale-down after \(h.lowerFor ?? 0) s lower (cooldown \(h.cooldown) s), \(h.current) → \(h.result) (target \(h.target))")
        }

        let g = budget
        if let total = g.budget {
            if g.cutoffValue == nil {
                lines.append("budget \(total) covers the \(g.requestedTotal) shadows asked for in total → \(g.after)")
            } else {
                var line = "budget \(total) < \(g.requestedTotal) asked in total: funded by marginal value down to \(fmt(g.cutoffValue ?? .nan)) → \(g.after)"
                if let cut = g.firstCutValue { line += " (next shadow worth \(fmt(cut)))" }
                lines.append(line)
            }
        } else {
            lines.append("budget unlimited → \(g.after)")
        }

        let c = capacity
        let newShadows = max(c.before - currentPool, 0)
        if c.before == c.after {
            lines.append("hosts have \(fmt(c.free)) units free, all new shadows need \(fmt(c.neededTotal)); \(newShadows) new here → \(c.after)")
        } else {
            lines.append("hosts have \(fmt(c.free)) units free < \(fmt(c.neededTotal)) needed: placed by marginal value → \(c.after)")
        }
        let delta = final - currentPool
        lines.append("final: \(final) shadow\(final == 1 ? "" : "s") (pool was \(currentPool), \(delta >= 0 ? "+" : "")\(delta))")
        if let park { lines.append(park.explanation) }
        if let ahead { lines.append(ahead.explanation) }
        return lines
    }

    private enum ExtraKeys: String, CodingKey { case explanation }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(time, forKey: .time)
        try c.encode(target, forKey: .target)
        try c.encode(quantile, forKey: .quantile)
        try c.encode(running, forKey: .running)
        try c.encode(unit, forKey: .unit)
        try c.encode(currentPool, forKey: .currentPool)
        try c.encodeIfPresent(shortfall, forKey: .shortfall)
        try c.encode(rawTarget, forKey: .rawTarget)
        try c.encodeIfPresent(diagnostic, forKey: .diagnostic)
        try c.encode(bounds, forKey: .bounds)
        try c.encode(afterBounds, forKey: .afterBounds)
        try c.encode(hysteresis, forKey: .hysteresis)
        try c.encode(budget, forKey: .budget)
        try c.encode(capacity, forKey: .capacity)
        try c.encode(final, forKey: .final)
        try c.encodeIfPresent(runningSource, forKey: .runningSource)
        try c.encodeIfPresent(park, forKey: .park)
        try c.encodeIfPresent(memory, forKey: .memory)
        try c.encodeIfPresent(ahead, forKey: .ahead)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(explanation, forKey: .explanation)
    }
}

/// A number for people: at most 3 decimals, no trailing zeros.
func fmt(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "+∞" : "−∞") }
    let r = (x * 1000).rounded() / 1000
    if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
    return "\(r)"
}

/// A share as a percentage with one decimal at most.
func percent(_ share: Double) -> String {
    guard share.isFinite else { return "n/a" }
    let r = (share * 1000).rounded() / 10
    // Bounded like `fmt`: a decoded row may hold any number, and Int64(1e300) traps.
    return (r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : "\(r)") + " %"
}

/// Where a group's running capacity came from: its regular VMs (configured, or measured by the
/// collector), on-demand capacity, and activated shadows. A value, formatted only when explained.
public struct RunningSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Capacity units of the regular VMs.
    public var regular: Double
    /// True when `regular` is the configured `running`; false when measured.
    package var configured: Bool
    /// Running members the collector saw (measured only) and when (Unix seconds; nil: not yet).
    public var members: Int
    package var measuredAt: Int64?
    package var onDemand: Double
    package var activeShadows: Int
    package var shadowUnits: Double

    package init(regular: Double, configured: Bool, members: Int = 0, measuredAt: Int64? = nil, onDemand: Double = 0,
                activeShadows: Int = 0, shadowUnits: Double = 0) {
        self.regular = regular
        self.configured = configured
        self.members = members
        self.measuredAt = measuredAt
        self.onDemand = onDemand
        self.activeShadows = activeShadows
        self.shadowUnits = shadowUnits
    }

    public var total: Double { regular + onDemand + shadowUnits }

    public var description: String {
        var parts: [String] = []
        if configured {
            parts.append("configured running \(fmt(regular))")
        } else if let measuredAt {
            parts.append("\(members) running member\(members == 1 ? "" : "s") measured at \(measuredAt) = \(fmt(regular))")
        } else {
            parts.append("no member seen by the collector yet = 0")
        }
        if onDemand > 0 { parts.append("on-demand \(fmt(onDemand))") }
        if activeShadows > 0 { parts.append("\(activeShadows) activated shadow\(activeShadows == 1 ? "" : "s") = \(fmt(shadowUnits))") }
        return parts.joined(separator: " + ")
    }
}
