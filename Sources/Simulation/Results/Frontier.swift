/// A policy's Pareto frontier of VM + shadow cost against unserved demand: the points no other
/// point of the same policy beats on both, sorted by cost (so unserved demand falls strictly).
package struct Frontier: Sendable, Hashable {
    package struct Point: Sendable, Hashable {
        /// VM + shadow cost (the resource cost, without the unserved penalty).
        package var cost: Double
        /// Unserved unit·minutes.
        package var unserved: Double
        /// What produced it: `"tau = 0.9"`, `"defaults"`.
        package var label: String

        package init(cost: Double, unserved: Double, label: String = "") {
            self.cost = cost
            self.unserved = unserved
            self.label = label
        }
    }

    package var points: [Point]

    /// The non-dominated points of `candidates` (non-finite ones dropped): sorted by cost, each
    /// with strictly less unserved demand than every cheaper one; of equal points the first stays.
    package init(_ candidates: [Point]) {
        let sorted = candidates.enumerated()
            .filter { $0.element.cost.isFinite && $0.element.unserved.isFinite }
            .sorted { ($0.element.cost, $0.element.unserved, $0.offset) < ($1.element.cost, $1.element.unserved, $1.offset) }
        var kept: [Point] = []
        for (_, p) in sorted where kept.last.map({ p.unserved < $0.unserved }) ?? true { kept.append(p) }
        points = kept
    }

    /// The lowest unserved demand reachable at a cost ≤ `cost` (+∞ below the cheapest point).
    package func unserved(atCost cost: Double) -> Double {
        points.last { $0.cost <= cost }?.unserved ?? .infinity
    }

    package var lowestUnserved: Double? { points.last?.unserved }
    package var costRange: ClosedRange<Double>? {
        guard let a = points.first?.cost, let b = points.last?.cost else { return nil }
        return a...b
    }
}

/// How one policy's frontier compares with another's over the cost range both reach
/// (docs/simulation.md, "Frontiers and dominance").
package struct Dominance: Sendable, Hashable {
    /// The common cost range: where both step functions are defined (from the dearer of the two
    /// cheapest points) up to the dearer of the two dearest points — a frontier that stops
    /// earlier stays at its lowest unserved demand beyond its last point, so buying down further
    /// than the other counts.
    package var range: ClosedRange<Double>
    /// The share of the range where the first frontier (a step function: the lowest unserved
    /// demand at cost ≤ c) is lower or equal. A range of one cost counts that cost: 1 or 0.
    package var share: Double
    /// ∫ (other − first) dc over the range ÷ its width, in unserved unit·minutes: positive when the
    /// first is better. For a range of one cost, the difference at it.
    package var area: Double

    /// Nil when either frontier is empty.
    package init?(_ a: Frontier, over b: Frontier) {
        guard let ra = a.costRange, let rb = b.costRange else { return nil }
        let low = max(ra.lowerBound, rb.lowerBound), high = max(ra.upperBound, rb.upperBound, low)
        range = low...high
        if low == high {
            let d = b.unserved(atCost: low) - a.unserved(atCost: low)
            share = d >= 0 ? 1 : 0
            area = d
            return
        }
        // Both are step functions with breaks at their points' costs: constant between breaks.
        let breaks = Set((a.points + b.points).map(\.cost).filter { $0 > low && $0 < high } + [low, high]).sorted()
        var better = 0.0, integral = 0.0
        for k in 0..<(breaks.count - 1) {
            let width = breaks[k + 1] - breaks[k]
            let d = b.unserved(atCost: breaks[k]) - a.unserved(atCost: breaks[k])
            if d >= 0 { better += width }
            integral += d * width
        }
        share = better / (high - low)
        area = integral / (high - low)
    }
}
