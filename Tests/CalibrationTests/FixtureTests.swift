import Foundation
import Numerics
import Testing
@testable import Calibration
import TimeSeries

// Reference values come from bench/peers/calibration_fixtures.py, an independent numpy
// implementation (exact-rational conformal ranks, np.interp, statistics.NormalDist).
//
// Tolerance 1e-12 (relative, and absolute for values near 0). Offsets are order statistics of
// scores computed by one subtraction and, for residual quantiles, one division by a scale, so
// both sides agree to a few ulps; PIT values and extrapolated quantiles go through Φ and Φ⁻¹,
// where Swift's (Acklam + Halley on erfc) and Python's NormalDist (Wichura AS241) agree to ~1e-15.
private let tolerance = 1e-12

struct CalibrationFixture: Decodable {
    struct Sample: Decodable { var step: Int; var actual: Double; var quantiles: [Double] }
    struct Step: Decodable {
        var step: Int; var offsets: [Double]; var samples: Int; var pooledSamples: Int
        var firstPooledStep: Int; var lastPooledStep: Int; var clampedLevels: [Double]
    }
    struct Expected: Decodable { var steps: [Step]; var skippedSamples: Int }
    struct Fit: Decodable, Sendable, CustomTestStringConvertible {
        var name: String; var levels: [Double]; var method: String; var minimumSamples: Int
        var samples: [Sample]; var expected: Expected
        var testDescription: String { name }
    }
    struct PITCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String; var levels: [Double]; var quantiles: [[Double]]; var actuals: [Double]
        var expectedPit: [Double]; var probeLevels: [Double]; var expectedProbeQuantiles: [[Double]]
        var testDescription: String { name }
    }
    struct ACICase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String; var levels: [Double]; var targetLevel: Double; var learningRate: Double
        var quantiles: [[Double]]; var actuals: [Double]; var expectedSized: [Double?]; var expectedAlphas: [Double]
        var testDescription: String { name }
    }
    var fits: [Fit]
    var pits: [PITCase]
    var acis: [ACICase]

    static func load() throws -> CalibrationFixture {
        let url = try #require(Bundle.module.url(forResource: "calibration", withExtension: "json", subdirectory: "Fixtures"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(CalibrationFixture.self, from: Data(contentsOf: url))
    }
}

extension CalibrationFixture.Sample: Sendable {}
extension CalibrationFixture.Step: Sendable {}
extension CalibrationFixture.Expected: Sendable {}

@Suite("Calibration matches the numpy reference")
struct FixtureTests {
    @Test(arguments: try CalibrationFixture.load().fits)
    func offsetsPoolingAndClampingMatch(_ c: CalibrationFixture.Fit) throws {
        let method = try #require(CalibrationMethod(rawValue: c.method))
        let calibrator = try ConformalCalibrator(levels: c.levels, method: method, minimumSamples: c.minimumSamples)
        let table = try calibrator.fit(c.samples.map { CalibrationSample(step: $0.step, actual: $0.actual, quantiles: $0.quantiles) })
        #expect(table.skippedSamples == c.expected.skippedSamples, "\(c.name)")
        try #require(table.steps.count == c.expected.steps.count, "\(c.name): horizon")
        for (got, want) in zip(table.steps, c.expected.steps) {
            #expect(got.step == want.step)
            #expect(got.samples == want.samples, "\(c.name) step \(want.step)")
            #expect(got.pooledSamples == want.pooledSamples, "\(c.name) step \(want.step)")
            #expect(got.firstPooledStep == want.firstPooledStep && got.lastPooledStep == want.lastPooledStep,
                    "\(c.name) step \(want.step): pooled \(got.firstPooledStep)...\(got.lastPooledStep)")
            #expect(got.clampedLevels == want.clampedLevels, "\(c.name) step \(want.step)")
            for (k, level) in c.levels.enumerated() {
                expectClose(got.offsets[k], want.offsets[k], tolerance: tolerance, "\(c.name) step \(want.step) τ=\(level)")
            }
        }
    }

    @Test func fixtureCoversPoolingClampingSkipsAndBothMethods() throws {
        let f = try CalibrationFixture.load()
        #expect(f.fits.contains { $0.expected.steps.contains { $0.firstPooledStep != $0.lastPooledStep } })
        #expect(f.fits.contains { $0.expected.steps.contains { !$0.clampedLevels.isEmpty } })
        #expect(f.fits.contains { $0.expected.skippedSamples > 0 })
        #expect(f.fits.contains { $0.expected.steps.contains { $0.samples == 0 } })
        #expect(Set(f.fits.map(\.method)) == ["cqr", "cqr-asymmetric", "residual-quantile"])
    }

    @Test(arguments: try CalibrationFixture.load().pits)
    func pitValuesAndInterpolatedQuantilesMatch(_ c: CalibrationFixture.PITCase) throws {
        let samples = zip(c.actuals, c.quantiles).map { CalibrationSample(step: 1, actual: $0, quantiles: $1) }
        let pit = PIT.values(levels: c.levels, samples: samples)
        for (t, (got, want)) in zip(pit, c.expectedPit).enumerated() {
            expectClose(got, want, tolerance: tolerance, "\(c.name) PIT[\(t)]")
        }
        let f = try forecast(levels: c.levels, rows: c.quantiles)
        for (h, expected) in c.expectedProbeQuantiles.enumerated() {
            for (level, want) in zip(c.probeLevels, expected) {
                let got = try #require(f.interpolatedQuantile(level: level, step: h + 1))
                expectClose(got.value, want, tolerance: tolerance, "\(c.name) q(\(level)) step \(h + 1)")
                #expect(got.extrapolated == (level < c.levels[0] || level > c.levels[c.levels.count - 1]))
            }
        }
    }

    @Test(arguments: try CalibrationFixture.load().acis)
    func adaptiveConformalTrajectoryMatches(_ c: CalibrationFixture.ACICase) throws {
        let f = try forecast(levels: c.levels, rows: c.quantiles)
        var aci = try AdaptiveConformal(targetLevel: c.targetLevel, learningRate: c.learningRate)
        for t in c.actuals.indices {
            let sized = try #require(aci.sizingQuantile(from: f, step: t + 1))
            switch (sized, c.expectedSized[t]) {
            case (.finite(let value, _, _), .some(let want)):
                expectClose(value, want, tolerance: tolerance, "\(c.name) sized[\(t)]")
            case (.unboundedAbove, nil), (.unboundedBelow, nil): break
            default: Issue.record("\(c.name) t=\(t): sized \(sized), numpy \(String(describing: c.expectedSized[t]))")
            }
            aci.update(actual: c.actuals[t], sizedAt: sized)
            expectClose(aci.alpha, c.expectedAlphas[t], tolerance: tolerance, "\(c.name) α[\(t + 1)]")
        }
    }
}
