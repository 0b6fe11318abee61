import Calibration
import TimeSeries

/// One group's claim in the cross-group steps: how many shadows it wants and what each is worth.
public struct AllocationRequest: Sendable {
    public var group: String
    /// Shadows wanted after bounds and hysteresis.
    public var desired: Int
    /// Shadows that exist now (they hold host capacity already).
    public var current: Int
    public var unit: Double
    public var running: Double
    /// The distribution and step the marginal values are read from; nil values every shadow at 0.
    public var forecast: ForecastDistribution?
    public var step: Int?

    public init(group: String, desired: Int, current: Int, unit: Double, running: Double,
                forecast: ForecastDistribution?, step: Int?) {
        self.group = group
        self.desired = max(desired, 0)
        self.current = max(current, 0)
        self.unit = unit
        self.running = running
        self.forecast = forecast
        self.step = step
    }

    /// The expected value of the group's 1st…`desired`-th shadow (see `marginalValue`).
    ///
    /// Shadow j covers capacity (R + (j−1)u, R + ju]; it serves the demand that falls there, so
    /// it removes E[(D − R − (j−1)u)⁺] − E[(D − R − ju)⁺] = ∫ P(D > y) dy over that slice of
    /// expected unserved demand. The integral is Simpson's rule on the forecast's survival
    /// function (exact where the quantile curve is linear over the slice). Values are made
    /// non-increasing in j, so a group's shadows are ranked in order.
    public func marginalValues(costs: CostModel) -> [Double] {
        guard desired > 0 else { return [] }
        guard let forecast, let step, unit > 0, unit.isFinite, running.isFinite else {
            return Array(repeating: 0, count: desired)
        }
        func survival(_ y: Double) -> Double {
            guard let f = forecast.cdf(y, step: step), f.isFinite else { return 0 }
            return 1 - min(max(f, 0), 1)
        }
        var values: [Double] = []
        values.reserveCapacity(desired)
        var left = survival(running)
        for j in 1...desired {
            let a = running + Double(j - 1) * unit
            let mid = survival(a + unit / 2), right = survival(a + unit)
            let avoided = unit / 6 * (left + 4 * mid + right)
            var v = costs.missCost * avoided - costs.shadowCost(unit: unit)
            if let previous = values.last, v > previous { v = previous }
            values.append(v)
            left = right
        }
        return values
    }
}

/// Step 6: the global budget's share for one group.
public struct BudgetStep: Sendable, Hashable, Codable {
    /// The most shadows all groups may hold together; nil = unlimited.
    public var budget: Int?
    /// Shadows all groups asked for together.
    public var requestedTotal: Int
    public var before: Int
    public var after: Int
    /// The marginal value of the last shadow funded across all groups (nil when the budget did not bind).
    public var cutoffValue: Double?
    /// The marginal value of this group's first unfunded shadow (nil when none was cut).
    public var firstCutValue: Double?
}

/// Step 7: the free host capacity's share for one group.
public struct CapacityStep: Sendable, Hashable, Codable {
    /// Free capacity units on the hosts before this cycle's new shadows.
    public var free: Double
    /// Capacity units all groups' new shadows need together.
    public var neededTotal: Double
    public var before: Int
    public var after: Int
}

/// The cross-group steps: funds shadows by marginal value within the budget, then places new
/// ones within the free host capacity.
///
/// Shadows of all groups are ranked by marginal expected value (c_miss × expected unserved
/// demand removed − c_reserve × unit), ties broken by group name then by shadow number, and the
/// budget funds the ranking's prefix. Host capacity then walks the funded shadows in the same
/// order: existing ones keep their reservation, a new one is placed if its unit still fits,
/// and a group whose next shadow does not fit gets no further ones (its pool stays contiguous).
/// Capacity left unused by a blocked group is not handed back to the budget: the two limits
/// are applied one after the other so each can be explained on its own.
public enum BudgetAllocator {
    /// Applies the budget and the free capacity to `requests`; results are in the same order.
    public static func allocate(_ requests: [AllocationRequest], budget: Int?, freeCapacity: Double,
                                costs: CostModel) -> [(budget: BudgetStep, capacity: CapacityStep)] {
        let requested = requests.reduce(0) { $0 + $1.desired }
        var ranking: [Candidate]?
        func ranked() -> [Candidate] {
            if let ranking { return ranking }
            let r = rank(requests, costs: costs)
            ranking = r
            return r
        }

        // Budget.
        var funded = requests.map(\.desired)
        var cutoff: Double?
        var firstCut = [Double?](repeating: nil, count: requests.count)
        if let budget, requested > max(budget, 0) {
            funded = Array(repeating: 0, count: requests.count)
            let order = ranked()
            let limit = max(budget, 0)
            for (n, c) in order.enumerated() {
                if n < limit {
                    funded[c.index] += 1
                    cutoff = c.value
                } else if firstCut[c.index] == nil {
                    firstCut[c.index] = c.value
                }
            }
        }

        // Host capacity: only shadows beyond the current pool need room.
        let free = freeCapacity.isNaN ? 0 : max(freeCapacity, 0)
        var needed = 0.0
        for (i, r) in requests.enumerated() where funded[i] > r.current { needed += Double(funded[i] - r.current) * r.unit }
        var placed = funded
        if needed > free + 1e-9 {
            placed = Array(repeating: 0, count: requests.count)
            var blocked = [Bool](repeating: false, count: requests.count)
            var left = free
            for c in ranked() where c.shadow <= funded[c.index] && !blocked[c.index] {
                let r = requests[c.index]
                if c.shadow <= r.current {
                    placed[c.index] += 1
                } else if r.unit <= left + 1e-9 {
                    placed[c.index] += 1
                    left -= r.unit
                } else {
                    blocked[c.index] = true
                }
            }
        }

        return requests.indices.map { i in
            (BudgetStep(budget: budget, requestedTotal: requested, before: requests[i].desired, after: funded[i],
                        cutoffValue: cutoff, firstCutValue: firstCut[i]),
             CapacityStep(free: free, neededTotal: needed, before: funded[i], after: placed[i]))
        }
    }

    struct Candidate {
        var value: Double
        var index: Int
        var shadow: Int
    }

    /// Every requested shadow, best first.
    static func rank(_ requests: [AllocationRequest], costs: CostModel) -> [Candidate] {
        var all: [Candidate] = []
        all.reserveCapacity(requests.reduce(0) { $0 + $1.desired })
        for (i, r) in requests.enumerated() {
            for (j, v) in r.marginalValues(costs: costs).enumerated() {
                all.append(Candidate(value: v.isNaN ? -.infinity : v, index: i, shadow: j + 1))
            }
        }
        all.sort { a, b in
            if a.value != b.value { return a.value > b.value }
            if a.index != b.index { return requests[a.index].group < requests[b.index].group }
            return a.shadow < b.shadow
        }
        return all
    }
}
