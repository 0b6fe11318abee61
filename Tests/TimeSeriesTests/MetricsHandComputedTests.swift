import Numerics
import Testing
@testable import TimeSeries

// Small cases worked out by hand; the arithmetic is in the comments. Expected values are written
// as the exact fractions they reduce to and compared at 1e-14 relative (a handful of terms).
private func close(_ a: Double, _ b: Double) -> Bool { a.isApproximatelyEqual(to: b, relativeTolerance: 1e-14) }

@Suite("Accuracy metrics on hand-computed cases")
struct MetricsHandComputedTests {
    @Test func maeAndRMSEAverageTheErrors() throws {
        // errors y − ŷ: −1, 0, 2, −4 → |e| sum 7, e² sum 1 + 0 + 4 + 16 = 21
        let y = [1.0, 2, 3, 4], f = [2.0, 2, 1, 8]
        #expect(close(try Accuracy.mae(actuals: y, forecast: f), 7.0 / 4))
        #expect(close(try Accuracy.rmse(actuals: y, forecast: f), (21.0 / 4).squareRoot()))
    }

    @Test func smapeCountsZeroOverZeroAsAPerfectTerm() throws {
        // terms |y−ŷ|/(|y|+|ŷ|): 10/210, 0/0 → 0, 50/50 = 1; sMAPE = 200/3 · (1/21 + 0 + 1) = 200/3 · 22/21
        let value = try Accuracy.smape(actuals: [100, 0, 50], forecast: [110, 0, 0])
        #expect(close(value, 200.0 / 3 * 22 / 21))
        #expect(try Accuracy.smape(actuals: [0, 0], forecast: [0, 0]) == 0)
    }

    @Test func smapeReachesTwoHundredForOppositeSigns() throws {
        // |5 − (−5)| / (5 + 5) = 1 → 200 · 1
        #expect(try Accuracy.smape(actuals: [5], forecast: [-5]) == 200)
    }

    @Test func maseDividesByTheOneStepNaiveMAE() throws {
        // in-sample [1, 3, 2, 5, 4]: |Δ| = 2, 1, 3, 1 → scale 7/4; MAE (|6−5| + |6−8|)/2 = 3/2 → 3/2 ÷ 7/4 = 6/7
        let insample = [1.0, 3, 2, 5, 4]
        #expect(close(try Accuracy.seasonalNaiveScale(insample: insample), 7.0 / 4))
        #expect(close(try Accuracy.mase(actuals: [6, 6], forecast: [5, 8], insample: insample), 6.0 / 7))
    }

    @Test func maseUsesTheSeasonalLag() throws {
        // m = 2 on [10, 20, 12, 24, 11, 21]: |12−10|, |24−20|, |11−12|, |21−24| = 2, 4, 1, 3 → scale 10/4
        // MAE |13 − 11| = 2 → MASE 2 ÷ 5/2 = 4/5
        let insample = [10.0, 20, 12, 24, 11, 21]
        #expect(close(try Accuracy.mase(actuals: [13], forecast: [11], insample: insample, season: 2), 0.8))
        #expect(close(try Accuracy.mase(actuals: [13], forecast: [11], scale: 2.5), 0.8))
    }

    @Test func scaleSkipsPairsWithAMissingValue() throws {
        // [1, NaN, 4, 6], m = 1: pairs (1,NaN) and (NaN,4) skipped, |6−4| = 2 → scale 2
        #expect(try Accuracy.seasonalNaiveScale(insample: [1, .nan, 4, 6]) == 2)
    }

    @Test func pinballWeighsUnderAndOverPredictionByLevel() throws {
        // τ = 0.9: u = 10 − 8 = 2 → 0.9·2 = 1.8; u = 10 − 13 = −3 → (0.9 − 1)(−3) = 0.3; mean 2.1/2
        #expect(close(try Accuracy.pinball(actuals: [10, 10], quantile: [8, 13], level: 0.9), 1.05))
    }

    @Test func crpsIsTwiceTheMeanPinball() throws {
        // levels 0.25, 0.5, 0.75 at y = 10, q = 8, 10, 11: ρ = 0.25·2 = 0.5, 0, (0.75−1)(−1) = 0.25
        // mean pinball 0.75/3 = 0.25 → CRPS ≈ 2/3 · 0.75 = 0.5
        let levels = [0.25, 0.5, 0.75], quantiles = [[8.0, 10, 11]]
        #expect(close(try Accuracy.pinball(actuals: [10], quantiles: quantiles, levels: levels), 0.25))
        #expect(close(try Accuracy.crps(actuals: [10], quantiles: quantiles, levels: levels), 0.5))
    }

    @Test func crpsOfAPointForecastIsItsAbsoluteError() throws {
        // Levels symmetric about 0.5 average to τ̄ = 0.5, so 2/K Σ ρ_τ(u) = 2 · 0.5|u| = |u|, as the
        // true CRPS of a point mass; here |u| = 3 and 4 → 3.5.
        let levels = [0.1, 0.3, 0.5, 0.7, 0.9]
        let row = [Double](repeating: 5, count: levels.count)
        let value = try Accuracy.crps(actuals: [8, 1], quantiles: [row, row], levels: levels)
        #expect(close(value, 3.5))
        #expect(close(value, try Accuracy.mae(actuals: [8, 1], forecast: [5, 5])))
    }

    @Test func coverageIncludesBothBounds() throws {
        // 1 ∈ [0,2] yes; 5 ∈ [5,6] yes (bound); 10 ∈ [0,9] no; 3 ∈ [4,8] no → 2/4
        let value = try Accuracy.coverage(actuals: [1, 5, 10, 3], lower: [0, 5, 0, 4], upper: [2, 6, 9, 8])
        #expect(value == 0.5)
    }

    @Test func msisAddsScaledPenaltiesOutsideTheInterval() throws {
        // α = 0.2 → 2/α = 10. Terms: width 2 (inside); 9 + 10·(10−9) = 19; 4 + 10·(4−3) = 14 → 35/3
        // in-sample [1, 2, 4, 7]: |Δ| = 1, 2, 3 → scale 2 → MSIS 35/6
        let y = [1.0, 10, 3], l = [0.0, 0, 4], u = [2.0, 9, 8]
        #expect(close(try Accuracy.intervalScore(actuals: y, lower: l, upper: u, alpha: 0.2), 35.0 / 3))
        #expect(close(try Accuracy.msis(actuals: y, lower: l, upper: u, alpha: 0.2, insample: [1, 2, 4, 7]), 35.0 / 6))
    }

    @Test func missingActualsAreSkippedWithTheirForecasts() throws {
        // position 1 is missing (its forecast may be NaN too): |1−2| and |3−5| over h = 2 → 1.5
        let y = [1.0, .nan, 3], f = [2.0, .nan, 5]
        #expect(try Accuracy.mae(actuals: y, forecast: f) == 1.5)
        #expect(try Accuracy.coverage(actuals: y, lower: [0, .nan, 4], upper: [2, .nan, 6]) == 0.5)
        #expect(try Accuracy.pinball(actuals: y, quantiles: [[2], [.nan], [5]], levels: [0.5]) == 0.75)
    }

    @Test func evaluateScoresADistribution() throws {
        // y = 10, 20; mean 11, 18 → MAE (1 + 2)/2 = 1.5
        // pinball τ=.1: u = 2, 5 → .2, .5 → .35; τ=.5: u = −1, 2 → .5, 1 → .75; τ=.9: u = −2, 1 → .2, .9 → .55
        // mean pinball 1.65/3 = .55, CRPS 1.1. Interval 0.1/0.9 (α = 0.2, penalty 10):
        // 10 ∈ [8,12] → 4; 20 > 19 → 4 + 10·1 = 14 → score 9, coverage 1/2; scale 2 → MASE .75, MSIS 4.5
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 2)
        let forecast = try ForecastDistribution(grid: grid, levels: [0.1, 0.5, 0.9], mean: [11, 18],
                                                quantiles: [[8, 11, 12], [15, 18, 19]])
        let result = try Accuracy.evaluate(forecast, actuals: [10, 20], scale: 2)
        #expect(result.observedCount == 2)
        #expect(close(result.mae, 1.5))
        #expect(close(result.mase ?? .nan, 0.75))
        #expect(zip(result.pinball, [0.35, 0.75, 0.55]).allSatisfy { close($0, $1) })
        #expect(close(result.meanPinball, 0.55))
        #expect(close(result.crps, 1.1))
        try #require(result.intervals.count == 1)
        let interval = result.intervals[0]
        #expect(interval.lowerLevel == 0.1 && interval.upperLevel == 0.9)
        #expect(close(interval.nominalCoverage, 0.8))
        #expect(interval.coverage == 0.5)
        #expect(close(interval.intervalScore, 9))
        #expect(close(interval.msis ?? .nan, 4.5))
    }

    @Test func evaluateFormsIntervalsFromSymmetricPairsOnly() throws {
        // 0.05/0.95 → 90 %, 0.1/0.9 → 80 %, widest first; 0.5 and the unmatched 0.8 form none.
        let levels = [0.05, 0.1, 0.5, 0.8, 0.9, 0.95]
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 1)
        let forecast = try ForecastDistribution(grid: grid, levels: levels, mean: [5], quantiles: [[1, 2, 5, 7, 8, 9]])
        let result = try Accuracy.evaluate(forecast, actuals: [5])
        #expect(result.intervals.map(\.lowerLevel) == [0.05, 0.1])
        #expect(result.intervals.map(\.upperLevel) == [0.95, 0.9])
        #expect(close(result.intervals[0].nominalCoverage, 0.9) && close(result.intervals[1].nominalCoverage, 0.8))
        #expect(result.mase == nil && result.intervals.allSatisfy { $0.msis == nil })
    }

    @Test func evaluateWithInsampleMatchesAnExplicitScale() throws {
        // in-sample [0, 2, 4]: scale 2, the same as passing scale: 2
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 2)
        let forecast = try ForecastDistribution(grid: grid, levels: [0.1, 0.5, 0.9], mean: [11, 18],
                                                quantiles: [[8, 11, 12], [15, 18, 19]])
        #expect(try Accuracy.evaluate(forecast, actuals: [10, 20], insample: [0, 2, 4])
                == (try Accuracy.evaluate(forecast, actuals: [10, 20], scale: 2)))
    }
}
