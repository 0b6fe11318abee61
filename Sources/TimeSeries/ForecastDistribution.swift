/// A probabilistic forecast: for every horizon step a mean and a set of quantiles.
public struct ForecastDistribution: Sendable, Hashable, Codable {
    /// The grid of the forecast steps (step 1 is `grid.position(at: 0)`).
    public var grid: TimeGrid
    /// Quantile levels in (0, 1), strictly increasing.
    public var levels: [Double]
    /// Mean per step.
    public var mean: [Double]
    /// `quantiles[h][k]` is the quantile at `levels[k]` for step `h + 1`.
    public var quantiles: [[Double]]

    public init(grid: TimeGrid, levels: [Double], mean: [Double], quantiles: [[Double]]) throws(ForecastDistributionError) {
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }), Self.isIncreasing(levels, strictly: true)
        else { throw ForecastDistributionError("quantile levels must be strictly increasing in (0, 1), got \(levels)") }
        guard mean.count == grid.count, quantiles.count == grid.count else {
            throw ForecastDistributionError("expected \(grid.count) steps, got \(mean.count) means and \(quantiles.count) quantile rows")
        }
        for (h, row) in quantiles.enumerated() {
            guard row.count == levels.count else {
                throw ForecastDistributionError("step \(h + 1) has \(row.count) quantiles for \(levels.count) levels")
            }
            guard Self.isIncreasing(row, strictly: false) else {
                throw ForecastDistributionError("quantiles cross at step \(h + 1): \(row)")
            }
        }
        self.grid = grid
        self.levels = levels
        self.mean = mean
        self.quantiles = quantiles
    }

    public var horizon: Int { grid.count }

    /// Whether each value is below (`strictly`) or at most its successor; false with a NaN.
    /// An index loop: the actuator builds a distribution per group per cycle, and `zip` over
    /// slices cost ten times more here.
    static func isIncreasing(_ xs: [Double], strictly: Bool) -> Bool {
        var i = 1
        while i < xs.count {
            guard strictly ? xs[i - 1] < xs[i] : xs[i - 1] <= xs[i] else { return false }
            i += 1
        }
        return true
    }

    /// The quantile at `level` for step `h` (1-based), if `level` is one of `levels`.
    public func quantile(_ level: Double, step h: Int) -> Double? {
        guard let k = levels.firstIndex(where: { abs($0 - level) < 1e-12 }) else { return nil }
        return quantiles[h - 1][k]
    }
}

public struct ForecastDistributionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ message: String) { description = message }
}
