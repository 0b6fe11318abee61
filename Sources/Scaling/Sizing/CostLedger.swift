/// What one group's shadows cost and what they saved over the ledger's window.
package struct GroupCostReport: Sendable, Hashable, Codable {
    package var group: String
    /// Shadow-intervals held and their cost (shadows × unit × c_reserve per interval).
    package var shadowIntervals: Double
    /// Σ shadows × unit over the intervals held: the capacity units held in reserve, per interval
    /// (reserveCost = shadowUnitIntervals × c_reserve).
    package var shadowUnitIntervals: Double
    package var reserveCost: Double
    /// Activations that served demand, the units they served, and the value of not making that
    /// demand wait the on-demand launch delay (units × delay / interval × c_miss).
    package var activations: Int
    package var servedUnits: Double
    package var avoidedMissValue: Double
    /// avoidedMissValue − reserveCost.
    package var net: Double { avoidedMissValue - reserveCost }
}

/// Accumulates each group's reserve cost and avoided-miss value, and adjusts the groups' maxima
/// from them (the cost loop).
///
/// Adjustment rule, applied once per evaluation window (e.g. a day): a group whose shadows cost
/// more than they saved has its maximum lowered by one (not below its minimum); a group whose
/// shadows saved at least twice their cost, and whose maximum was lowered before, gets one back
/// (not above the configured maximum). One step per window keeps the loop slow next to the
/// per-interval sizing, so the two do not chase each other. The window is then reset; the totals
/// since the ledger was made (`totalReport()`, what a replay's summary reports) are not.
package struct CostLedger: Sendable, Hashable, Codable {
    package var costs: CostModel
    private var entries: [String: GroupCostReport] = [:]
    private var totals: [String: GroupCostReport] = [:]

    /// A ledger whose current window holds `window` (a window restored after a restart).
    package init(costs: CostModel, window: [GroupCostReport] = []) {
        self.costs = costs
        for e in window { entries[e.group] = e }
    }

    /// Puts a group's window totals as another ledger had them (a group taken over continues its
    /// last holder's window).
    package mutating func restoreWindow(_ entry: GroupCostReport) {
        entries[entry.group] = entry
    }

    /// Records that `group` held `shadows` shadows of `unit` capacity units for `intervals` intervals.
    package mutating func recordReserve(group: String, shadows: Int, unit: Double, intervals: Double = 1) {
        guard shadows > 0, unit.isFinite, unit > 0, intervals.isFinite, intervals > 0 else { return }
        let held = Double(shadows) * intervals
        func charge(_ e: inout GroupCostReport) {
            e.shadowIntervals += held
            e.shadowUnitIntervals += held * unit
            e.reserveCost += held * costs.shadowCost(unit: unit)
        }
        charge(&entries[group, default: Self.empty(group)])
        charge(&totals[group, default: Self.empty(group)])
    }

    /// Charges every decided pool (final size × unit) for `intervals` intervals.
    package mutating func recordReserve(_ decisions: [SizingDecision], intervals: Double = 1) {
        for d in decisions { recordReserve(group: d.group, shadows: d.final, unit: d.unit, intervals: intervals) }
    }

    /// Records an activation of one of `group`'s shadows that served `units` of demand at once.
    package mutating func recordActivation(group: String, servedUnits units: Double) {
        guard units.isFinite, units >= 0 else { return }
        func credit(_ e: inout GroupCostReport) {
            e.activations += 1
            e.servedUnits += units
            e.avoidedMissValue += costs.avoidedMissValue(units: units)
        }
        credit(&entries[group, default: Self.empty(group)])
        credit(&totals[group, default: Self.empty(group)])
    }

    /// Every group's totals over the window, sorted by group name.
    package func costReport() -> [GroupCostReport] {
        entries.values.sorted { $0.group < $1.group }
    }

    /// Every group's totals since the ledger was made (never reset by `adjust`), sorted by group name.
    package func totalReport() -> [GroupCostReport] {
        totals.values.sorted { $0.group < $1.group }
    }

    /// The bounds `group` should have for the next window, given its current and configured bounds.
    package func adjustedBounds(group: String, current: GroupBounds, configured: GroupBounds) -> GroupBounds {
        guard let e = entries[group] else { return current }
        var next = current
        if e.reserveCost > e.avoidedMissValue {
            next.maximum = max(current.maximum - 1, current.minimum)
        } else if e.avoidedMissValue >= 2 * e.reserveCost, current.maximum < configured.maximum {
            next.maximum = current.maximum + 1
        }
        return next
    }

    /// Applies `adjustedBounds` to every group in the window, updates `policy.bounds`, resets
    /// the window and returns the groups whose maximum changed (old, new).
    @discardableResult
    package mutating func adjust(_ policy: inout SizingPolicy, configured: SizingPolicy) -> [String: (from: Int, to: Int)] {
        var changed: [String: (from: Int, to: Int)] = [:]
        for group in entries.keys.sorted() {
            let current = policy.bounds(for: group)
            let next = adjustedBounds(group: group, current: current, configured: configured.bounds(for: group))
            if next != current {
                policy.bounds[group] = next
                changed[group] = (current.maximum, next.maximum)
            }
        }
        entries = [:]
        return changed
    }

    private static func empty(_ group: String) -> GroupCostReport {
        GroupCostReport(group: group, shadowIntervals: 0, shadowUnitIntervals: 0, reserveCost: 0, activations: 0,
                        servedUnits: 0, avoidedMissValue: 0)
    }
}
