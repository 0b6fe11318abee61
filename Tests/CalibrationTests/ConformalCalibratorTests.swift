import Foundation
import Testing
@testable import Calibration
import TimeSeries

// Hand-computed cases: every expected number below is worked out in the comment next to it.
@Suite struct ConformalCalibratorTests {
    @Test func conformalRanksUseTheDecimalLevelNotItsBinaryRounding() {
        // (99 + 1) · 0.9 = 90.00000000000001 in binary; the decimal level means rank 90.
        #expect(ConformalQuantile.ceilRank(100 * 0.9) == 90)
        #expect(ConformalQuantile.ceilRank(10 * 0.75) == 8)
        // ⌈(n + 1) p⌉ ≤ n first holds at n = 9 for 0.9, 19 for 0.95, 39 for 0.975.
        #expect(ConformalQuantile.minimumFiniteCount(level: 0.9) == 9)
        #expect(ConformalQuantile.minimumFiniteCount(level: 0.95) == 19)
        #expect(ConformalQuantile.minimumFiniteCount(level: 0.975) == 39)
    }

    @Test func intervalPairIsWidenedByTheConformalQuantileOfTheCQRScore() throws {
        // Interval [0, 10] at levels 0.1/0.9 (80 %). Scores max(0 − y, y − 10):
        // y: −3 12 5 1 9 11 −0.5 14 3 → E: 3 2 −5 −1 −1 1 0.5 4 −3; sorted −5 −3 −1 −1 0.5 1 2 3 4.
        // Rank ⌈(9 + 1) · 0.8⌉ = 8 → Q = 3: offsets −3 and +3.
        let ys = [-3.0, 12, 5, 1, 9, 11, -0.5, 14, 3]
        let calibrator = try ConformalCalibrator(levels: [0.1, 0.9], minimumSamples: 1)
        let table = try calibrator.fit(ys.map { CalibrationSample(step: 1, actual: $0, quantiles: [0, 10]) })
        #expect(table.steps.count == 1)
        #expect(table.steps[0].offsets == [-3, 3])
        #expect(table.steps[0].pooledSamples == 9 && table.steps[0].clampedLevels.isEmpty)
        #expect(table.method == .conformalQuantileRegression)
    }

    @Test func unpairedLevelsAreCalibratedOneSidedAndTheMedianByTheMedianResidual() throws {
        // Levels 0.2 (no 0.8 partner), 0.5, 0.9 (no 0.1 partner); quantiles [1, 2, 3]; n = 9.
        // 0.9: y − 3 sorted −4 −2.5 −1.5 −1 −0.5 0 1 3 4; rank ⌈10 · 0.9⌉ = 9 → +4.
        // 0.2: 1 − y sorted −6 −5 −3 −2 −1.5 −1 −0.5 0.5 2; rank ⌈10 · 0.8⌉ = 8 → 0.5 → offset −0.5.
        // 0.5: y − 2 sorted −3 −1.5 −0.5 0 0.5 1 2 4 5; median 0.5.
        let ys = [0.5, 1.5, 2.5, 4, 7, -1, 3, 2, 6]
        let calibrator = try ConformalCalibrator(levels: [0.2, 0.5, 0.9], minimumSamples: 1)
        #expect(calibrator.requiredSamples == 9)
        let table = try calibrator.fit(ys.map { CalibrationSample(step: 1, actual: $0, quantiles: [1, 2, 3]) })
        #expect(table.steps[0].offsets == [-0.5, 0.5, 4])
        let calibrated = table.apply(to: try forecast(levels: [0.2, 0.5, 0.9], rows: [[1, 2, 3]]))
        #expect(calibrated.quantiles == [[0.5, 2.5, 7]])
        #expect(calibrated.mean == [2])
    }

    @Test func tooFewSamplesForALevelClampToTheLargestScoreAndSaySo() throws {
        // One-sided 0.9 with n = 5 after pooling everything: rank ⌈6 · 0.9⌉ = 6 > 5 → the 5th (largest).
        let ys = [1.0, 5, 2, 4, 3]
        let table = try ConformalCalibrator(levels: [0.9], minimumSamples: 1)
            .fit(ys.map { CalibrationSample(step: 1, actual: $0, quantiles: [0]) })
        #expect(table.steps[0].offsets == [5])
        #expect(table.steps[0].clampedLevels == [0.9])
    }

    @Test func sparseStepsPoolTheirNeighboursSymmetrically() throws {
        // 2, 10 and 2 samples at steps 1–3; required = max(5, 4 for an 80 % interval) = 5.
        // Step 1: {1} has 2 → {1, 2} has 12. Step 2: 10 alone. Step 3: {2, 3} has 12.
        var samples: [CalibrationSample] = []
        for (step, n) in [(1, 2), (2, 10), (3, 2)] {
            for i in 0..<n { samples.append(CalibrationSample(step: step, actual: Double(i), quantiles: [0, 1])) }
        }
        let table = try ConformalCalibrator(levels: [0.1, 0.9], minimumSamples: 5).fit(samples)
        #expect(table.steps.map(\.samples) == [2, 10, 2])
        #expect(table.steps.map(\.pooledSamples) == [12, 10, 12])
        #expect(table.steps.map(\.firstPooledStep) == [1, 2, 2])
        #expect(table.steps.map(\.lastPooledStep) == [2, 2, 3])
    }

    @Test func unusableSamplesAreSkippedAndCounted() throws {
        let samples = [
            CalibrationSample(step: 1, actual: 1, quantiles: [0, 2]),
            CalibrationSample(step: 1, actual: .nan, quantiles: [0, 2]),
            CalibrationSample(step: 0, actual: 1, quantiles: [0, 2]),
            CalibrationSample(step: 1, actual: 1, quantiles: [0]),
            CalibrationSample(step: 1, actual: 1, quantiles: [.nan, 2]),
            CalibrationSample(step: 1, actual: .infinity, quantiles: [0, 2]),
        ]
        let table = try ConformalCalibrator(levels: [0.1, 0.9], minimumSamples: 1).fit(samples)
        #expect(table.skippedSamples == 5)
        #expect(table.steps[0].samples == 1)
    }

    @Test func badConfigurationAndNoDataThrowWithACode() {
        #expect(throws: CalibrationError.self) { try ConformalCalibrator(levels: []) }
        #expect(throws: CalibrationError.self) { try ConformalCalibrator(levels: [0.9, 0.1]) }
        #expect(throws: CalibrationError.self) { try ConformalCalibrator(levels: [0, 0.5]) }
        #expect(throws: CalibrationError.self) { try ConformalCalibrator(levels: [0.5], minimumSamples: 0) }
        #expect(throws: CalibrationError.self) { try ConformalCalibrator(levels: [0.9], method: .residualQuantile) }
        let error = #expect(throws: CalibrationError.self) {
            try ConformalCalibrator(levels: [0.5]).fit([CalibrationSample(step: 1, actual: .nan, quantiles: [1])])
        }
        #expect(error?.code == .insufficientData)
    }

    @Test func residualQuantileScoresAreInUnitsOfTheForecastScale() throws {
        // Gaussian quantiles μ ± σ·Φ⁻¹(0.9): the scale read back from them is σ.
        let z = NormalDistribution.quantile(0.9)
        let s = try #require(CalibrationTable.scale(lowerLevel: 0.1, lower: 5 - 2 * z, upperLevel: 0.9, upper: 5 + 2 * z))
        #expect(abs(s - 2) < 1e-14)
        #expect(CalibrationTable.scale(lowerLevel: 0.1, lower: 3, upperLevel: 0.9, upper: 3) == nil)
        // Two samples of one step, σ = 1 and σ = 4, each with y − q̂_0.9 = 2σ: the normalised
        // scores are both 2, so the 0.9 offset is 2 (σ units). Rank ⌈3 · 0.9⌉ = 3 > 2 clamps.
        let samples = [(1.0, 0.0), (4.0, 10.0)].map { sigma, mu in
            CalibrationSample(step: 1, actual: mu + sigma * z + 2 * sigma, quantiles: [mu - sigma * z, mu + sigma * z])
        }
        let table = try ConformalCalibrator(levels: [0.1, 0.9], method: .residualQuantile, minimumSamples: 1).fit(samples)
        #expect(abs(table.steps[0].offsets[1] - 2) < 1e-12)
        // Applied to a forecast with σ = 3, the 0.9 quantile moves up by 2 · 3 = 6.
        let f = try forecast(levels: [0.1, 0.9], rows: [[-3 * z, 3 * z]])
        let out = table.apply(to: f)
        #expect(abs(out.quantiles[0][1] - (3 * z + 6)) < 1e-12)
    }
}

@Suite struct CalibrationTableTests {
    static func table() -> CalibrationTable {
        CalibrationTable(method: .conformalQuantileRegression, levels: [0.1, 0.5, 0.9], minimumSamples: 1, steps: [
            StepCalibration(step: 1, offsets: [-1, 0, 1], samples: 1, pooledSamples: 1, firstPooledStep: 1,
                            lastPooledStep: 1, clampedLevels: []),
            StepCalibration(step: 2, offsets: [3, 0, -3], samples: 1, pooledSamples: 1, firstPooledStep: 2,
                            lastPooledStep: 2, clampedLevels: []),
        ], skippedSamples: 0)
    }

    @Test func crossingCorrectionsAreRearrangedAndStepsPastTheTableReuseItsLastStep() throws {
        // Step 1: [0, 1, 2] + [−1, 0, 1] = [−1, 1, 3]. Step 2: [0, 1, 2] + [3, 0, −3] = [3, 1, −1],
        // sorted [−1, 1, 3]. Step 3 (past the table) uses step 2's offsets.
        let f = try forecast(levels: [0.1, 0.5, 0.9], rows: [[0, 1, 2], [0, 1, 2], [0, 1, 2]])
        let out = Self.table().apply(to: f)
        #expect(out.quantiles == [[-1, 1, 3], [-1, 1, 3], [-1, 1, 3]])
        #expect(out.mean == f.mean && out.levels == f.levels && out.grid == f.grid)
        // The result is a valid ForecastDistribution (its initialiser checks non-crossing).
        _ = try ForecastDistribution(grid: out.grid, levels: out.levels, mean: out.mean, quantiles: out.quantiles)
    }

    @Test func levelsOutsideTheTableAreLeftAloneAndReported() throws {
        let f = try forecast(levels: [0.1, 0.25, 0.9], rows: [[0, 0.5, 2]])
        let table = Self.table()
        #expect(table.missingLevels(in: f) == [0.5])
        // 0.1 → −1, 0.9 → 3, 0.25 untouched.
        #expect(table.apply(to: f).quantiles == [[-1, 0.5, 3]])
    }

    @Test func aMalformedStepFromADamagedManifestIsSkippedNotACrash() throws {
        var table = Self.table()
        table.steps[1].offsets = [1]
        let f = try forecast(levels: [0.1, 0.5, 0.9], rows: [[0, 1, 2], [0, 1, 2]])
        #expect(table.apply(to: f).quantiles == [[-1, 1, 3], [0, 1, 2]])
    }

    @Test func tableRoundTripsThroughJSON() throws {
        let table = Self.table()
        let data = try JSONEncoder().encode(table)
        #expect(try JSONDecoder().decode(CalibrationTable.self, from: data) == table)
        #expect(String(decoding: data, as: UTF8.self).contains("\"method\":\"cqr\""))
    }
}
