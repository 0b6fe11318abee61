import TimeSeries

/// An advance notice applied to a forecast: inside its window, demand is expected at `multiplier`
/// times the forecast, or at least at `level` capacity units.
public struct NoticeEffect: Sendable, Hashable {
    public var id: Int64
    public var start: Int64
    public var end: Int64
    package var multiplier: Double?
    public var level: Double?

    package init(id: Int64, start: Int64, end: Int64, multiplier: Double?, level: Double?) {
        self.id = id
        self.start = start
        self.end = end
        self.multiplier = multiplier
        self.level = level
    }
}

extension ForecastDistribution {
    /// The forecast with `notices` applied to the steps whose time falls in their windows
    /// ([start, end)): a multiplier scales the whole distribution (mean and every quantile); a level
    /// shifts it up so that its median is at least the level (its spread is kept). Notices that
    /// overlap apply one after the other. Returns the ids that changed a step.
    public func applying(_ notices: [NoticeEffect]) -> (ForecastDistribution, [Int64]) {
        guard !notices.isEmpty, grid.axis == .time else { return (self, []) }
        var mean = self.mean
        var quantiles = self.quantiles
        var used: Set<Int64> = []
        let median = levels.firstIndex { abs($0 - 0.5) < 1e-12 }
        for h in 0..<horizon {
            let t = grid.start + Int64(h) * grid.step
            for n in notices where t >= n.start && t < n.end {
                if let m = n.multiplier, m.isFinite, m > 0 {
                    mean[h] *= m
                    quantiles[h] = quantiles[h].map { $0 * m }
                    used.insert(n.id)
                }
                if let level = n.level, level.isFinite {
                    let center = median.map { quantiles[h][$0] } ?? mean[h]
                    let shift = level - center
                    if shift > 0 {
                        mean[h] += shift
                        quantiles[h] = quantiles[h].map { $0 + shift }
                        used.insert(n.id)
                    }
                }
            }
        }
        guard !used.isEmpty, let adjusted = try? ForecastDistribution(grid: grid, levels: levels, mean: mean, quantiles: quantiles) else {
            return (self, [])
        }
        return (adjusted, used.sorted())
    }
}
