import Calibration
import TimeSeries

/// One group's claim in the cross-group steps: how many shadows it wants and what each is worth.
package struct AllocationRequest: Sendable {
    package var group: String
    /// Shadows wanted after bounds and hysteresis.
    package var desired: Int
    /// Shadows that exist now (they hold host capacity already).
    package var current: Int
    package var unit: Double
    package var running: Double
    /// The distribution and step the marginal values are read from; nil values every shadow at 0.
    package var forecast: ForecastDistribution?
    package var step: Int?

    package init(group: String, desired: Int, current: Int, unit: Double, running: Double,
                forecast: ForecastDistribution?, step: Int?) {
        self.group = group
        self.desired = max(desired, 0)
        self.current = max(current, 0)
        self.unit = unit
        self.running = running
        self.forecast = forecast
        self.step = step
    }

    /// The expected value of the group's 1st…`desired`-th shadow (see `MarginalValues`).
    package func marginalValues(costs: CostModel) -> [Double] {
        var cursor = MarginalValues(self, costs: costs)
        var values: [Double] = []
        while let v = cursor.next() { values.append(v) }
        return values
    }
}

/// A group's shadow values one after the other, computed only as far as they are asked for.
///
/// Shadow j covers capacity (R + (j−1)u, R + ju]; it serves the demand that falls there, so
/// it removes E[(D − R − (j−1)u)⁺] − E[(D − R − ju)⁺] = ∫ P(D > y) dy over that slice of
/// expected unserved demand, worth c_miss each, and costs c_reserve · u. The integral is Simpson's
/// rule on the forecast's survival function (exact where the quantile curve is linear over the
/// slice). Values are made non-increasing in j against rounding, so a group's shadows rank in order.
struct MarginalValues {
    let request: AllocationRequest
    let costs: CostModel
    /// The next shadow's number (1-based) and the survival function at its lower edge.
    private(set) var shadow = 1
    private var left: Double
    private var last = Double.infinity
    private let usable: Bool

    init(_ request: AllocationRequest, costs: CostModel) {
        self.request = request
        self.costs = costs
        usable = request.forecast != nil && request.step != nil && request.unit > 0 && request.unit.isFinite
            && request.running.isFinite
        left = 0
        if usable { left = survival(request.running) }
    }

    private func survival(_ y: Double) -> Double {
        guard let forecast = request.forecast, let step = request.step,
              let f = forecast.cdf(y, step: step), f.isFinite else { return 0 }
        return 1 - min(max(f, 0), 1)
    }

    /// The next shadow's value; nil after the `desired`-th.
    mutating func next() -> Double? {
        guard shadow <= request.desired else { return nil }
        defer { shadow += 1 }
        guard usable else { return 0 }
        let u = request.unit
        let a = request.running + Double(shadow - 1) * u
        let mid = survival(a + u / 2), right = survival(a + u)
        let v = min(costs.missCost * u / 6 * (left + 4 * mid + right) - costs.shadowCost(unit: u), last)
        left = right
        last = v.isNaN ? -.infinity : v
        return last
    }
}

/// Step 6: the global budget's share for one group.
public struct BudgetStep: Sendable, Hashable, Codable {
    /// The most shadows all groups may hold together; nil = unlimited.
    package var budget: Int?
    /// Shadows all groups asked for together.
    package var requestedTotal: Int
    package var before: Int
    package var after: Int
    /// The marginal value of the last shadow funded across all groups (nil when the budget did not bind).
    package var cutoffValue: Double?
    /// The marginal value of this group's first unfunded shadow (nil when none was cut).
    package var firstCutValue: Double?
}

/// Step 7: the free host capacity's share for one group.
public struct CapacityStep: Sendable, Hashable, Codable {
    /// Free capacity units on the hosts before this cycle's new shadows.
    package var free: Double
    /// Capacity units all groups' new shadows need together.
    package var neededTotal: Double
    package var before: Int
    package var after: Int
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
package enum BudgetAllocator {
    /// Applies the budget and the free capacity to `requests`; results are in the same order.
    package static func allocate(_ requests: [AllocationRequest], budget: Int?, freeCapacity: Double,
                                costs: CostModel) -> [(budget: BudgetStep, capacity: CapacityStep)] {
        let requested = requests.reduce(0) { $0 + $1.desired }

        // Budget: pop the best shadows until it is spent. Values are computed lazily, so a
        // budget of B costs about B + (number of groups) values, not one per requested shadow.
        var funded = requests.map(\.desired)
        var fundedOrder: [Candidate]?
        var cutoff: Double?
        var firstCut = [Double?](repeating: nil, count: requests.count)
        if let budget, requested > max(budget, 0) {
            var queue = ShadowQueue(requests, costs: costs)
            funded = Array(repeating: 0, count: requests.count)
            var order: [Candidate] = []
            order.reserveCapacity(max(budget, 0))
            while order.count < budget, let c = queue.next() {
                funded[c.index] += 1
                order.append(c)
                cutoff = c.value
            }
            for i in requests.indices { firstCut[i] = queue.pendingValue(of: i) }
            fundedOrder = order
        }

        // Host capacity: only shadows beyond the current pool need room.
        let free = freeCapacity.isNaN ? 0 : max(freeCapacity, 0)
        var needed = 0.0
        var smallestNewUnit = Double.infinity
        for (i, r) in requests.enumerated() where funded[i] > r.current {
            needed += Double(funded[i] - r.current) * r.unit
            smallestNewUnit = min(smallestNewUnit, r.unit)
        }
        var placed = funded
        if needed > free + 1e-9 {
            // Existing shadows keep their reservation: a group's shadows rank in order, so they
            // come before any new shadow of the group could be refused.
            placed = requests.indices.map { min(funded[$0], requests[$0].current) }
            var blocked = [Bool](repeating: false, count: requests.count)
            var left = free
            var fresh = fundedOrder == nil ? ShadowQueue(requests, costs: costs) : nil
            var n = 0
            func nextFunded() -> Candidate? {
                if let fundedOrder {
                    guard n < fundedOrder.count else { return nil }
                    n += 1
                    return fundedOrder[n - 1]
                }
                return fresh?.next()
            }
            while left + 1e-9 >= smallestNewUnit, let c = nextFunded() {
                let r = requests[c.index]
                guard c.shadow > r.current, !blocked[c.index] else { continue }
                if r.unit <= left + 1e-9 {
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

    /// Every requested shadow, best first: a k-way merge of the groups' (already ordered) shadows
    /// through a binary heap holding each group's next one.
    struct ShadowQueue {
        let requests: [AllocationRequest]
        var cursors: [MarginalValues]
        var heap: [Candidate] = []
        /// The value of each group's shadow waiting in the heap.
        var pending: [Double?]

        init(_ requests: [AllocationRequest], costs: CostModel) {
            self.requests = requests
            cursors = requests.map { MarginalValues($0, costs: costs) }
            pending = Array(repeating: nil, count: requests.count)
            heap.reserveCapacity(requests.count)
            for i in requests.indices { advance(i) }
        }

        /// The value of group `i`'s best shadow not yet taken.
        func pendingValue(of i: Int) -> Double? { pending[i] }

        /// Takes the best remaining shadow.
        mutating func next() -> Candidate? {
            guard let top = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                siftDown(0)
            }
            pending[top.index] = nil
            advance(top.index)
            return top
        }

        private mutating func advance(_ i: Int) {
            let shadow = cursors[i].shadow
            guard let v = cursors[i].next() else { return }
            pending[i] = v
            heap.append(Candidate(value: v, index: i, shadow: shadow))
            siftUp(heap.count - 1)
        }

        /// Higher value first; ties by group name, then shadow number.
        private func better(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.value != b.value { return a.value > b.value }
            if a.index != b.index { return requests[a.index].group < requests[b.index].group }
            return a.shadow < b.shadow
        }

        private mutating func siftUp(_ k: Int) {
            var child = k
            while child > 0 {
                let parent = (child - 1) / 2
                guard better(heap[child], heap[parent]) else { return }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func siftDown(_ k: Int) {
            var parent = k
            while true {
                let l = 2 * parent + 1, r = l + 1
                var best = parent
                if l < heap.count && better(heap[l], heap[best]) { best = l }
                if r < heap.count && better(heap[r], heap[best]) { best = r }
                if best == parent { return }
                heap.swapAt(parent, best)
                parent = best
            }
        }
    }

    /// Every requested shadow, best first (the order `allocate` uses), for tests and tools.
    static func rank(_ requests: [AllocationRequest], costs: CostModel) -> [Candidate] {
        var queue = ShadowQueue(requests, costs: costs)
        var all: [Candidate] = []
        while let c = queue.next() { all.append(c) }
        return all
    }
}
