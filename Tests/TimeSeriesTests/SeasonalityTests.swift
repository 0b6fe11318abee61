import Foundation
import Testing
@testable import TimeSeries

/// A small deterministic generator so synthetic series are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Approximately standard normal (sum of 12 uniforms − 6).
    mutating func gaussian() -> Double {
        var s = 0.0
        for _ in 0..<12 { s += Double.random(in: 0..<1, using: &self) }
        return s - 6
    }
}

@Suite struct SeasonalityTests {
    @Test func findsDailyPeriodOfNoisySine() throws {
        var rng = SplitMix64(state: 1)
        let x = (0..<24 * 20).map { (t: Int) -> Double in
            let season: Double = 3 * sin(2 * Double.pi * Double(t) / 24)
            return 10 + season + 0.5 * rng.gaussian()
        }
        let p = try #require(Seasonality.dominantPeriod(x))
        #expect(p.steps == 24)
        #expect(p.autocorrelation > 0.7)
    }

    @Test func reportsFundamentalRatherThanItsMultiple() throws {
        // Daily cycle of 12 steps and a weaker weekly modulation of 84: the daily period is
        // the strongest single peak, its multiples (24, 36, …) are not.
        var rng = SplitMix64(state: 2)
        let x = (0..<84 * 12).map { t -> Double in
            let d = sin(2 * .pi * Double(t) / 12), w = 0.3 * sin(2 * .pi * Double(t) / 84)
            return 5 + d + w + 0.2 * rng.gaussian()
        }
        let p = try #require(Seasonality.dominantPeriod(x))
        #expect(p.steps == 12)
    }

    @Test func ignoresTrendAndFillsGaps() throws {
        var rng = SplitMix64(state: 3)
        var x = [Double]()
        for t in 0..<300 {
            let trend = 0.05 * Double(t)
            let season: Double = 2 * cos(2 * Double.pi * Double(t) / 30)
            x.append(trend + season + 0.3 * rng.gaussian())
        }
        for i in stride(from: 7, to: x.count, by: 23) { x[i] = .nan }
        let p = try #require(Seasonality.dominantPeriod(x))
        #expect(p.steps == 30)
    }

    @Test func whiteNoiseAndRandomWalkHaveNoPeriod() {
        var rng = SplitMix64(state: 4)
        let noise = (0..<2000).map { _ in rng.gaussian() }
        #expect(Seasonality.dominantPeriod(noise) == nil)
        var walk = [Double](repeating: 0, count: 2000)
        for i in 1..<walk.count { walk[i] = walk[i - 1] + rng.gaussian() }
        #expect(Seasonality.dominantPeriod(walk, minimumAutocorrelation: 0.3) == nil)
    }

    @Test func constantShortAndEmptySeriesHaveNoPeriod() {
        #expect(Seasonality.dominantPeriod([Double](repeating: 4, count: 500)) == nil)
        #expect(Seasonality.dominantPeriod([1, 2, 3]) == nil)
        #expect(Seasonality.dominantPeriod([]) == nil)
        #expect(Seasonality.dominantPeriod([.nan, .nan, .nan]) == nil)
    }

    @Test func autocorrelationMatchesHandComputation() {
        // x = [1, 2, 3, 4]; mean 2.5; centred [-1.5, -0.5, 0.5, 1.5]; c0 = 5.
        // lag 1: (-1.5)(-0.5) + (-0.5)(0.5) + (0.5)(1.5) = 0.75 - 0.25 + 0.75 = 1.25 → 0.25
        // lag 2: (-1.5)(0.5) + (-0.5)(1.5) = -1.5 → -0.3
        let r = Seasonality.autocorrelation([1, 2, 3, 4], maxLag: 2)
        #expect(abs(r[0] - 1) < 1e-15)
        #expect(abs(r[1] - 0.25) < 1e-15)
        #expect(abs(r[2] + 0.3) < 1e-15)
    }
}
