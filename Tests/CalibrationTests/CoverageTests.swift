import Foundation
import Testing
@testable import Calibration
import TimeSeries

/// Synthetic backtests whose raw intervals under-cover: the truth is 1.6× wider than the model
/// believes (with heavier tails in one case) and shifted by 0.5 σ; the model's σ grows with h and
/// varies between forecasts.
private struct MiscalibratedModel {
    static let levels = [0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975]
    static let horizon = 4

    /// `n` samples per step: Gaussian forecast quantiles, actuals from the wider truth.
    static func samples(perStep n: Int, seed: UInt64, heavyTails: Bool) -> [CalibrationSample] {
        var rng = SplitMix64(state: seed)
        var out: [CalibrationSample] = []
        for h in 1...horizon {
            for _ in 0..<n {
                let mu = 50 + 10 * rng.gaussian()
                // σ varies between forecasts of one step too, so scaling the scores matters.
                let sigma = (1 + 0.5 * Double(h)) * Double.random(in: 0.7..<1.3, using: &rng)
                var noise = rng.gaussian()
                // A scale mixture (variance 1) gives heavier tails than the Gaussian model expects.
                if heavyTails { noise *= Double.random(in: 0..<1, using: &rng) < 0.2 ? 1.9 : 0.6 }
                out.append(CalibrationSample(step: h, actual: mu + 0.5 * sigma + 1.6 * sigma * noise,
                                             quantiles: gaussianRow(mean: mu, sigma: sigma, levels: levels)))
            }
        }
        return out
    }

    /// Share of held-out actuals inside the central interval (τ, 1 − τ) of each forecast.
    static func coverage(_ forecasts: [(ForecastDistribution, Double)], lowerLevel: Double) -> Double {
        var inside = 0
        for (f, y) in forecasts {
            guard let lo = f.quantile(lowerLevel, step: 1), let hi = f.quantile(1 - lowerLevel, step: 1) else { continue }
            if lo <= y && y <= hi { inside += 1 }
        }
        return Double(inside) / Double(forecasts.count)
    }
}

// Calibrate on one seeded split, measure on another. With 2,000 calibration samples per step the
// conformal quantile's own coverage has sd √(α(1 − α)/n) ≤ 0.0067 and the 8,000 held-out samples
// add ≤ 0.0034, so ±2 points is about 2.7 sd of the sum — a real test, not a formality — while
// the raw coverage (≈ 70 % for the nominal 90 %) is far outside it.
@Suite struct CoverageTests {
    @Test(arguments: [CalibrationMethod.conformalQuantileRegression, .asymmetricConformalQuantileRegression,
                      .residualQuantile], [false, true])
    func calibratedIntervalsCoverWithinTwoPointsOfNominalOnHeldOutData(method: CalibrationMethod, heavyTails: Bool) throws {
        let levels = MiscalibratedModel.levels
        let calibration = MiscalibratedModel.samples(perStep: 2_000, seed: 11, heavyTails: heavyTails)
        let heldOut = MiscalibratedModel.samples(perStep: 2_000, seed: 12, heavyTails: heavyTails)
        let table = try ConformalCalibrator(levels: levels, method: method).fit(calibration)
        #expect(table.steps.allSatisfy { $0.pooledSamples == 2_000 && $0.clampedLevels.isEmpty })

        var raw: [(ForecastDistribution, Double)] = [], calibrated: [(ForecastDistribution, Double)] = []
        var grid = 0
        for s in heldOut {
            // A one-step forecast per sample, calibrated with the offsets of its own step.
            let f = try ForecastDistribution(grid: TimeGrid(axis: .index, start: Int64(grid), step: 1, count: s.step),
                                             levels: levels, mean: [Double](repeating: s.quantiles[3], count: s.step),
                                             quantiles: [[Double]](repeating: s.quantiles, count: s.step))
            grid += 1
            let c = table.apply(to: f)
            raw.append((try forecast(levels: levels, rows: [s.quantiles]), s.actual))
            calibrated.append((try forecast(levels: levels, rows: [c.quantiles[s.step - 1]]), s.actual))
        }
        for (lower, nominal) in [(0.1, 0.8), (0.05, 0.9), (0.025, 0.95)] {
            let before = MiscalibratedModel.coverage(raw, lowerLevel: lower)
            let after = MiscalibratedModel.coverage(calibrated, lowerLevel: lower)
            #expect(before < nominal - 0.1, "raw \(nominal) coverage \(before) should under-cover")
            #expect(abs(after - nominal) <= 0.02, "\(method) heavy=\(heavyTails): \(nominal) coverage \(after)")
        }
        // Every level, not only the intervals: the reliability diagram lies within 2 points — except
        // for symmetric CQR, which widens both ends of an interval by the same amount and so keeps
        // the truth's shift (0.5 σ here) as a lopsided split of the misses between the two tails.
        guard method != .conformalQuantileRegression else { return }
        let samplesAfter = calibrated.map { CalibrationSample(step: 1, actual: $0.1, quantiles: $0.0.quantiles[0]) }
        let reliability = ReliabilityDiagram(levels: levels, samples: samplesAfter)
        #expect(try #require(reliability.maximumDeviation) <= 0.02, "\(reliability.observedFrequency)")
        let before = ReliabilityDiagram(levels: levels, samples: heldOut)
        #expect(try #require(before.maximumDeviation) > 0.1)
    }

    @Test func calibratedPITHistogramMatchesTheTrueDistributionsOne() throws {
        // PIT values are read off a piecewise-linear quantile curve, so even the true distribution
        // gives a histogram that is not exactly flat between the knots. The fair reference is the
        // PIT histogram of the true distribution's own quantiles at the same levels (the oracle).
        let levels = MiscalibratedModel.levels
        let calibration = MiscalibratedModel.samples(perStep: 2_000, seed: 21, heavyTails: false)
        let heldOut = MiscalibratedModel.samples(perStep: 2_000, seed: 22, heavyTails: false)
        let table = try ConformalCalibrator(levels: levels, method: .residualQuantile).fit(calibration)
        var calibrated: [Double] = [], oracle: [Double] = []
        for s in heldOut {
            let f = try forecast(levels: levels, rows: [s.quantiles])
            let step = try ForecastDistribution(grid: f.grid, levels: levels, mean: f.mean, quantiles: [s.quantiles])
            // The table's step h applies to this one-step forecast through a one-step table slice.
            var slice = table
            slice.steps = [table.steps[s.step - 1]]
            calibrated.append(slice.apply(to: step).cdf(s.actual, step: 1) ?? .nan)
            // The truth in MiscalibratedModel: N(μ + 0.5σ, (1.6σ)²); μ is the forecast median.
            let sigma = (s.quantiles[6] - s.quantiles[0]) / (2 * NormalDistribution.quantile(0.975)), mu = s.quantiles[3]
            let truth = try forecast(levels: levels, rows: [gaussianRow(mean: mu + 0.5 * sigma, sigma: 1.6 * sigma, levels: levels)])
            oracle.append(truth.cdf(s.actual, step: 1) ?? .nan)
        }
        let raw = PIT.values(levels: levels, samples: heldOut)
        func distance(_ values: [Double], _ reference: [Double]) -> Double {
            let h = PITHistogram(values, bins: 10).counts, r = PITHistogram(reference, bins: 10).counts
            return zip(h, r).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) / Double(max($1.1, 1)) }
        }
        let rawDistance = distance(raw, oracle), calibratedDistance = distance(calibrated, oracle)
        // Too-narrow raw forecasts pile PIT values into the outer bins (a U shape): a χ²-type
        // distance in the thousands. Calibrated, it falls to the scale of sampling noise
        // (χ²(9) 5 % critical value 16.9; the offsets' own estimation error roughly doubles it).
        #expect(rawDistance > 1_000, "raw \(rawDistance)")
        #expect(calibratedDistance < 2 * 16.9, "calibrated \(calibratedDistance)")
    }
}
