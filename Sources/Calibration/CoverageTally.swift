import Foundation
import TimeSeries

/// Counts of actuals inside the central intervals of forecasts, kept per block of forecasts that
/// share a time period (and a calibration table), so that coverage can be reported with an
/// interval that respects the dependence between neighbouring forecasts.
package struct CoverageTally: Sendable, Hashable, Codable {
    /// Nominal central coverages counted, e.g. 0.8 for the interval [q_0.1, q_0.9].
    package var nominals: [Double]
    /// Per block, per nominal: actuals inside the interval (bounds included).
    package var covered: [[Int]]
    /// Per block, per nominal: actuals counted (steps whose forecast has both ends of the interval).
    package var counts: [[Int]]

    /// An empty tally (no block yet) of the central intervals with these nominal coverages.
    package init(nominals: [Double] = [0.8, 0.9, 0.95]) {
        self.nominals = nominals
        covered = []
        counts = []
    }

    /// Blocks counted so far.
    package var blocks: Int { counts.count }

    /// Starts a new block; `add` counts into the latest one.
    package mutating func startBlock() {
        covered.append([Int](repeating: 0, count: nominals.count))
        counts.append([Int](repeating: 0, count: nominals.count))
    }

    /// Counts every step of `forecast` whose actual is known (`actuals[h]` for step h + 1) into
    /// the latest block (one is started when there is none). A nominal whose two levels
    /// (1 − c)/2 and (1 + c)/2 the forecast lacks (within 1e-9) is not counted for it.
    package mutating func add(_ forecast: ForecastDistribution, actuals: [Double]) {
        if counts.isEmpty { startBlock() }
        let b = counts.count - 1
        for (k, c) in nominals.enumerated() {
            guard let lo = forecast.levels.firstIndex(where: { abs($0 - (1 - c) / 2) < 1e-9 }),
                  let hi = forecast.levels.firstIndex(where: { abs($0 - (1 + c) / 2) < 1e-9 }) else { continue }
            for (h, y) in actuals.prefix(forecast.horizon).enumerated() where y.isFinite {
                let row = forecast.quantiles[h]
                counts[b][k] += 1
                if y >= row[lo] && y <= row[hi] { covered[b][k] += 1 }
            }
        }
    }

    /// This tally followed by `other`'s blocks (pooling groups, say); the nominals must match.
    package mutating func append(contentsOf other: CoverageTally) {
        guard other.nominals == nominals else { return }
        covered += other.covered
        counts += other.counts
    }

    /// One estimate per nominal, over every block.
    package func estimates() -> [CoverageEstimate] {
        nominals.indices.map { k in
            CoverageEstimate(nominal: nominals[k], covered: covered.map { $0[k] }, counts: counts.map { $0[k] })
        }
    }
}

/// The observed coverage of one nominal central interval over many forecasts, with two 95 %
/// confidence intervals: a binomial one that treats every forecast step as independent, and a
/// block one that treats each block as the unit (forecasts of neighbouring origins overlap and
/// share the same weather, so the binomial interval is too narrow; the block interval is the one
/// to judge a ±2-point target by).
package struct CoverageEstimate: Sendable, Hashable, Codable {
    /// The interval's nominal coverage, e.g. 0.9.
    package var nominal: Double
    /// Covered / count (NaN when nothing was counted).
    package var coverage: Double
    package var covered: Int
    package var count: Int
    /// Blocks with at least one counted step.
    package var blocks: Int
    /// Wilson score interval at 95 % (Wilson 1927), as if the steps were independent.
    package var binomialLower: Double
    package var binomialUpper: Double
    /// Cluster-robust 95 % interval of the ratio Σ covered / Σ count with blocks as clusters
    /// (normal approximation, variance B/(B − 1) · Σ_b (covered_b − p̂·count_b)² / (Σ count)²);
    /// nil with fewer than two blocks.
    package var blockLower: Double?
    package var blockUpper: Double?

    /// From per-block covered and counted steps.
    package init(nominal: Double, covered: [Int], counts: [Int]) {
        self.nominal = nominal
        let c = covered.reduce(0, +), n = counts.reduce(0, +)
        self.covered = c
        count = n
        blocks = counts.count { $0 > 0 }
        let z = 1.959963984540054
        guard n > 0 else {
            coverage = .nan
            binomialLower = .nan
            binomialUpper = .nan
            return
        }
        let p = Double(c) / Double(n), nn = Double(n)
        coverage = p
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z / (1 + z * z / nn) * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        binomialLower = max(0, centre - half)
        binomialUpper = min(1, centre + half)
        if blocks >= 2 {
            var sum = 0.0
            for (cb, nb) in zip(covered, counts) where nb > 0 {
                let r = Double(cb) - p * Double(nb)
                sum += r * r
            }
            let b = Double(blocks)
            let se = (b / (b - 1) * sum).squareRoot() / nn
            blockLower = max(0, p - z * se)
            blockUpper = min(1, p + z * se)
        }
    }

    /// Whether the observed coverage is within `points` percentage points of nominal.
    package func isWithin(points: Double) -> Bool { abs(coverage - nominal) <= points / 100 + 1e-12 }
}
