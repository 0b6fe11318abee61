import Foundation
import TimeSeries

/// One VM group's recorded demand: capacity units per interval on a regular grid, NaN where the
/// trace has no value (a gap).
package struct GroupTrace: Sendable, Hashable {
    package var group: String
    package var grid: TimeGrid
    package var demand: [Double]
    /// Seconds per interval: the grid step on a time axis, the configured interval on an index axis.
    package var interval: Double

    /// Validates `series` as demand: negative or infinite values are refused with the position
    /// where they occur; NaN is a gap (docs/simulation.md, "Bad input").
    package init(series: Series, indexInterval: Double = 300) throws(SimulationError) {
        group = series.id
        grid = series.grid
        demand = series.values
        interval = series.grid.axis == .time ? Double(series.grid.step) : indexInterval
        for (i, v) in demand.enumerated() where !v.isNaN {
            guard v.isFinite else {
                throw SimulationError(.invalidTrace, "\(group): demand is infinite at \(label(i))")
            }
            guard v >= 0 else {
                throw SimulationError(.invalidTrace, "\(group): demand \(v) at \(label(i)) is negative; "
                                      + "demand is in capacity units (≥ 0): fix or drop that row")
            }
        }
        guard demand.contains(where: { !$0.isNaN }) else {
            throw SimulationError(.invalidTrace, "\(group): no observed demand (every interval is missing)")
        }
    }

    package var count: Int { demand.count }

    /// The position of interval `i` as the trace writes it (ISO time, or step index).
    package func label(_ i: Int) -> String {
        let position = grid.position(at: i)
        return grid.axis == .time ? Timestamp.format(position) : "step \(position)"
    }

    /// Intervals of history before the first simulated one, for a training window of `seconds`.
    package func trainingIntervals(_ seconds: Double) -> Int {
        max(1, Int((seconds / interval).rounded(.up)))
    }
}
