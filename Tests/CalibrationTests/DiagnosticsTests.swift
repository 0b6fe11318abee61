import Foundation
import Testing
@testable import Calibration
import TimeSeries

// PIT and quantile-curve cases worked out by hand; the tail values were evaluated with Python's
// statistics.NormalDist from the formulas in docs/calibration.md (tolerance 1e-13: one Φ or Φ⁻¹
// evaluation, where the two libraries agree to ~1e-15).
@Suite struct DiagnosticsTests {
    let levels = [0.1, 0.5, 0.9]

    @Test func pitInsideTheLevelsIsTheLinearlyInterpolatedLevel() throws {
        let f = try forecast(levels: levels, rows: [[0, 10, 20]])
        // 5 is halfway between q0.1 = 0 and q0.5 = 10 → 0.3; 15 → 0.7; the knots give their levels.
        #expect(abs(try #require(f.cdf(5, step: 1)) - 0.3) < 1e-15)
        #expect(abs(try #require(f.cdf(15, step: 1)) - 0.7) < 1e-15)
        #expect(f.cdf(0, step: 1) == 0.1)
        #expect(f.cdf(10, step: 1) == 0.5)
        #expect(f.cdf(20, step: 1) == 0.9)
        #expect(f.cdf(.nan, step: 1) == nil)
        #expect(f.cdf(1, step: 2) == nil)
    }

    @Test func pitBeyondTheLevelsFollowsTheGaussianTails() throws {
        let f = try forecast(levels: levels, rows: [[0, 10, 20]])
        // σ_L = σ_U = 10 / (Φ⁻¹(0.5) − Φ⁻¹(0.1)) = 7.803041460723788.
        // y = −σ_L: Φ(Φ⁻¹(0.1) − 1) = 0.011257914512604772.
        expectClose(try #require(f.cdf(-7.803041460723788, step: 1)), 0.011257914512604772, tolerance: 1e-13, "lower tail")
        // y = 25: Φ(Φ⁻¹(0.9) + 5 / σ_U) = 0.9727177095624306.
        expectClose(try #require(f.cdf(25, step: 1)), 0.9727177095624306, tolerance: 1e-13, "upper tail")
        // q(0.95) = 20 + σ_U (Φ⁻¹(0.95) − Φ⁻¹(0.9)) = 22.834861047924232.
        let q = try #require(f.interpolatedQuantile(level: 0.95, step: 1))
        expectClose(q.value, 22.834861047924232, tolerance: 1e-13, "q(0.95)")
        #expect(q.extrapolated)
        let mid = try #require(f.interpolatedQuantile(level: 0.3, step: 1))
        #expect(abs(mid.value - 5) < 1e-14 && !mid.extrapolated)
        #expect(f.interpolatedQuantile(level: 0, step: 1)?.value == -.infinity)
        #expect(f.interpolatedQuantile(level: 1, step: 1)?.value == .infinity)
    }

    @Test func flatCurvesAndSingleLevelsHaveDocumentedPITs() throws {
        // q0.5 = q0.9 = 10: at y = 10 the PIT is the middle of the flat levels, (0.5 + 0.9) / 2;
        // above it the flat upper tail (σ_U = 0) gives 1.
        let flat = try forecast(levels: levels, rows: [[0, 10, 10]])
        #expect(abs(try #require(flat.cdf(10, step: 1)) - 0.7) < 1e-15)
        #expect(flat.cdf(11, step: 1) == 1)
        #expect(flat.interpolatedQuantile(level: 0.99, step: 1)?.value == 10)
        let single = try forecast(levels: [0.5], rows: [[3]])
        #expect(single.cdf(2, step: 1) == 0)
        #expect(single.cdf(3, step: 1) == 0.5)
        #expect(single.cdf(4, step: 1) == 1)
        #expect(single.interpolatedQuantile(level: 0.9, step: 1) == InterpolatedQuantile(value: 3, extrapolated: true))
    }

    @Test func pitValuesLineUpWithTheirSamples() throws {
        let samples = [
            CalibrationSample(step: 1, actual: 5, quantiles: [0, 10, 20]),
            CalibrationSample(step: 1, actual: .nan, quantiles: [0, 10, 20]),
            CalibrationSample(step: 1, actual: 5, quantiles: [0, 10]),
            CalibrationSample(step: 2, actual: 15, quantiles: [0, 10, 20]),
        ]
        let pit = PIT.values(levels: levels, samples: samples)
        #expect(pit.count == 4 && abs(pit[0] - 0.3) < 1e-15 && pit[1].isNaN && pit[2].isNaN && abs(pit[3] - 0.7) < 1e-15)
        let f = try forecast(levels: levels, rows: [[0, 10, 20], [0, 10, 20]])
        let byForecast = PIT.values(f, actuals: [5, .nan, 99])
        #expect(byForecast.count == 2 && abs(byForecast[0] - 0.3) < 1e-15 && byForecast[1].isNaN)
    }

    @Test func histogramBinsAreHalfOpenAndOneGoesToTheLastBin() {
        // 0, 0.05 → bin 0; 0.1 → bin 1; 0.55 → bin 5; 0.999, 1 → bin 9; NaN dropped.
        let h = PITHistogram([0, 0.05, 0.1, 0.55, 0.999, 1, .nan], bins: 10)
        #expect(h.counts == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(h.total == 6)
        #expect(h.edges.count == 11 && h.edges[3] == 0.3 && h.edges[10] == 1)
        #expect(PITHistogram([0.5], bins: 0).counts == [1])
    }

    @Test func reliabilityCountsActualsAtOrBelowEachQuantile() throws {
        // Quantiles [0, 1, 2]; actuals −1, 0.5, 1.5, 3 → y ≤ 0: 1 of 4; y ≤ 1: 2; y ≤ 2: 3.
        // A sample of the wrong width and one with a NaN actual are ignored.
        var samples = [-1.0, 0.5, 1.5, 3].map { CalibrationSample(step: 1, actual: $0, quantiles: [0, 1, 2]) }
        samples.append(CalibrationSample(step: 1, actual: 0, quantiles: [0, 1]))
        samples.append(CalibrationSample(step: 1, actual: .nan, quantiles: [0, 1, 2]))
        let r = ReliabilityDiagram(levels: levels, samples: samples)
        #expect(r.observedFrequency == [0.25, 0.5, 0.75])
        #expect(r.counts == [4, 4, 4])
        // |0.25 − 0.1|, |0.5 − 0.5|, |0.75 − 0.9| → 0.15.
        #expect(abs(try #require(r.maximumDeviation) - 0.15) < 1e-15)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(ReliabilityDiagram.self, from: data) == r)
    }
}
