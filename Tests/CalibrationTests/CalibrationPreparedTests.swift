import Testing
@testable import Calibration
import TimeSeries

/// `CalibrationTable.Prepared.apply(to:)` against `CalibrationTable.apply(to:)` (the reference):
/// the same values bit for bit, for every method, level layout and malformed row.
@Suite struct CalibrationPreparedTests {
    static func bits(_ f: ForecastDistribution) -> [UInt64] {
        (f.mean + f.quantiles.joined()).map(\.bitPattern)
    }

    static func table(_ method: CalibrationMethod, levels: [Double], steps: [[Double]]) -> CalibrationTable {
        CalibrationTable(method: method, levels: levels, minimumSamples: 10,
                         steps: steps.enumerated().map { h, offsets in
                             StepCalibration(step: h + 1, offsets: offsets, samples: 20, pooledSamples: 20,
                                             firstPooledStep: h + 1, lastPooledStep: h + 1, clampedLevels: [])
                         }, skippedSamples: 0)
    }

    @Test("every method, table levels the forecast lacks, short and empty tables, malformed rows: identical bits")
    func matchesTheReference() throws {
        var rng = SplitMix64(state: 42)
        let forecastLevels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]
        let layouts: [[Double]] = [forecastLevels, [0.1, 0.5, 0.9], [0.05, 0.5, 0.95, 0.975], [0.5], []]
        var cases = 0
        for method in [CalibrationMethod.conformalQuantileRegression, .asymmetricConformalQuantileRegression, .residualQuantile] {
            for levels in layouts {
                for stepCount in [0, 1, 5, 12, 20] {
                    for malformed in [false, true] {
                        var steps = (0..<stepCount).map { _ in levels.map { _ in rng.gaussian() * 0.7 } }
                        if malformed, stepCount >= 2 {
                            steps[1].append(1)                      // wrong width
                            if !levels.isEmpty { steps[stepCount - 1][0] = .nan }   // non-finite
                        }
                        let table = Self.table(method, levels: levels, steps: steps)
                        let prepared = table.prepared()
                        for trial in 0..<4 {
                            let rows = (0..<12).map { h -> [Double] in
                                let sigma = trial == 3 && h == 2 ? 0 : 1 + Double(h) * 0.1 + rng.gaussian().magnitude
                                return gaussianRow(mean: 100 + rng.gaussian() * 10, sigma: sigma, levels: forecastLevels)
                            }
                            let f = try forecast(levels: forecastLevels, rows: rows)
                            var inPlace = f
                            prepared.apply(to: &inPlace)
                            #expect(Self.bits(inPlace) == Self.bits(table.apply(to: f)), "\(method) \(levels) \(stepCount) \(malformed)")
                            cases += 1
                        }
                    }
                }
            }
        }
        #expect(cases == 3 * 5 * 5 * 2 * 4)
    }

    @Test("a forecast shared with another value is not changed through it")
    func valueSemantics() throws {
        let levels = [0.1, 0.5, 0.9]
        let f = try forecast(levels: levels, rows: [[1, 2, 3], [2, 3, 4]])
        var copy = f
        Self.table(.conformalQuantileRegression, levels: levels, steps: [[-1, 0, 1]]).prepared().apply(to: &copy)
        #expect(f.quantiles == [[1, 2, 3], [2, 3, 4]])
        #expect(copy.quantiles == [[0, 2, 4], [1, 3, 5]])
    }
}
