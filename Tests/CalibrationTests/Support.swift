import Foundation
import Numerics
import Testing
@testable import Calibration
import TimeSeries

/// A small deterministic generator so synthetic streams are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Standard normal by Box–Muller (exact tails, unlike a sum of uniforms).
    mutating func gaussian() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

/// A forecast on an index grid with the given quantile rows (mean = the middle column).
func forecast(levels: [Double], rows: [[Double]]) throws -> ForecastDistribution {
    try ForecastDistribution(grid: TimeGrid(axis: .index, start: 0, step: 1, count: rows.count), levels: levels,
                             mean: rows.map { $0[$0.count / 2] }, quantiles: rows)
}

/// Gaussian quantiles μ + σ Φ⁻¹(τ) at `levels`.
func gaussianRow(mean: Double, sigma: Double, levels: [Double]) -> [Double] {
    levels.map { mean + sigma * NormalDistribution.quantile($0) }
}

func expectClose(_ actual: Double, _ expected: Double, tolerance: Double, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.isApproximatelyEqual(to: expected, absoluteTolerance: tolerance, relativeTolerance: tolerance),
            "\(what): got \(actual), expected \(expected)", sourceLocation: sourceLocation)
}
