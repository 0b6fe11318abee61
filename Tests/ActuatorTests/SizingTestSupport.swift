@testable import Actuator
@testable import Scaling
import TimeSeries

/// A forecast of `rows.count` steps of `step` seconds at `levels`, means at the middle quantile.
func forecast(levels: [Double], rows: [[Double]], step: Int64 = 60, start: Int64 = 0) throws -> ForecastDistribution {
    try ForecastDistribution(grid: TimeGrid(axis: .time, start: start, step: step, count: rows.count),
                             levels: levels, mean: rows.map { $0[$0.count / 2] }, quantiles: rows)
}

/// |a − b| ≤ tolerance.
func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

/// The three groups of the allocation tests (docs in SizingAllocationTests): on [q0.05, q0.95] the
/// quantile curve is linear, so the survival function is linear and every marginal value is exact.
func allocationGroups() throws -> [SizingInput] {
    let levels = [0.05, 0.95]
    return [
        SizingInput(group: "a", forecast: try forecast(levels: levels, rows: [[0, 100]]), running: 0, unit: 20, currentPool: 0),
        SizingInput(group: "b", forecast: try forecast(levels: levels, rows: [[0, 100]]), running: 40, unit: 10, currentPool: 0),
        SizingInput(group: "c", forecast: try forecast(levels: levels, rows: [[0, 200]]), running: 0, unit: 40, currentPool: 0),
    ]
}

/// c_miss 1, c_reserve 0.1: τ = 1 / 1.1.
func allocationCosts() throws -> CostModel {
    try CostModel(missCost: 1, reserveCost: 0.1, launchDelay: 120)
}
