/// The forecast quantile the trigger activates ahead at, from the cost model (docs/actuator.md,
/// "Activating ahead").
///
/// A shadow activated ahead of interval i runs through it: it costs c_run − c_reserve more per
/// capacity unit and interval than staying parked. Left parked, it serves demand above the running
/// capacity only after the live trigger has seen it: that demand waits `wait` seconds, a miss of
/// c_miss × wait / interval per unit. Activating one more unit ahead pays while
/// P(demand > it) × c_miss × wait / interval > c_run − c_reserve, so the cost level is
///
///     ℓ = 1 − (c_run − c_reserve) × interval / (c_miss × wait),
///
/// and the trigger reads the forecast at max(`floor`, min(ℓ, `ceiling`)): the configured level
/// stays the floor (the median by default) and a miss that costs enough raises it into the tail.
/// With the simulator's defaults (c_run = 1, c_reserve = 0.25, c_miss = 5 per VM and interval,
/// a 60 s wait in a 300 s interval) ℓ = 0.25: the median holds; at τ = 0.99, ℓ = 0.85.
package struct AheadLevel: Sendable, Hashable, Codable {
    /// c_run: one running capacity unit for one interval.
    package var runCost: Double
    /// c_reserve and c_miss per capacity unit and interval (the sizer's cost model).
    package var reserveCost: Double
    package var missCost: Double
    /// Seconds demand above the running capacity waits for the live trigger, and per interval.
    package var wait: Double
    package var interval: Double
    /// The configured level (the least read) and the most the cost level may reach.
    package var floor: Double
    package var ceiling: Double
    /// 1 − (c_run − c_reserve) × interval / (c_miss × wait) (−∞ when nothing waits or misses are free).
    package var costLevel: Double
    /// The level the trigger reads.
    package var level: Double

    package static let defaultCeiling = 0.999

    /// The `explain` line: the formula with its figures and the level the trigger reads.
    package var explanation: String {
        let raised = level > floor
        return "activate ahead at q\(fmt(level)): cost level 1 − (c_run \(fmt(runCost)) − c_reserve \(fmt(reserveCost))) × "
            + "\(fmt(interval)) s / (c_miss \(fmt(missCost)) × wait \(fmt(wait)) s) = \(fmt(costLevel)); "
            + (raised ? "above forecast_level \(fmt(floor))" + (level < costLevel ? ", capped at \(fmt(ceiling))" : "")
               : "forecast_level \(fmt(floor)) holds")
    }

    package init(runCost: Double, reserveCost: Double, missCost: Double, wait: Double, interval: Double,
                floor: Double, ceiling: Double = AheadLevel.defaultCeiling) {
        self.runCost = runCost
        self.reserveCost = reserveCost
        self.missCost = missCost
        self.wait = wait
        self.interval = interval
        self.floor = floor
        self.ceiling = max(ceiling, floor)
        let premium = max(runCost - reserveCost, 0)
        let missPerUnit = missCost * wait / max(interval, 1e-9)
        if missPerUnit > 0, missPerUnit.isFinite, premium.isFinite {
            costLevel = 1 - premium / missPerUnit
        } else {
            costLevel = -.infinity
        }
        level = max(floor, min(costLevel, self.ceiling))
    }

    /// The cost level for `costs` (its c_reserve, c_miss and interval), a running unit at
    /// `runCost` and a trigger that sees live demand `wait` seconds into the interval.
    package init(costs: CostModel, runCost: Double, wait: Double, floor: Double,
                ceiling: Double = AheadLevel.defaultCeiling) {
        self.init(runCost: runCost, reserveCost: costs.reserveCost, missCost: costs.missCost, wait: wait,
                  interval: costs.interval, floor: floor, ceiling: ceiling)
    }
}
