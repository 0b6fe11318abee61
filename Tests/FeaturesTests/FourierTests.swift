import Foundation
import Testing
import TimeSeries
@testable import Features

/// Tolerance 1e-12: the reference angles below are reduced by hand to less than one period, so
/// both sides differ only by the rounding of one product and one sin/cos (~1e-16 relative).
private let tolerance = 1e-12

@Suite struct FourierTests {
    private func row(_ schema: FeatureSchema, _ t: Int64) throws -> [Double] {
        try schema.row(at: t, seriesID: "s", group: nil, events: [])
    }

    @Test func dailyTermAtQuarterDayIsSinOneCosZero() throws {
        let schema = try FeatureSchema(fourier: [FourierTerm(period: 86_400, harmonics: 2)])
        #expect(schema.columnNames == ["fourier_86400_1_sin", "fourier_86400_1_cos", "fourier_86400_2_sin", "fourier_86400_2_cos"])
        let r = try row(schema, 21_600) // 06:00 UTC on 1970-01-01
        #expect(abs(r[0] - 1) < tolerance)
        #expect(abs(r[1]) < tolerance)
        #expect(abs(r[2]) < tolerance)      // sin(π)
        #expect(abs(r[3] + 1) < tolerance)  // cos(π)
    }

    @Test func phaseIsMeasuredFromUnixEpochForLargeTimes() throws {
        let schema = try FeatureSchema(fourier: [FourierTerm(period: 86_400, harmonics: 2)])
        // 1_774_000_000 = 20_532 × 86_400 + 35_200, so the day phase is 35_200 / 86_400.
        let r = try row(schema, 1_774_000_000)
        #expect(abs(r[0] - sin(2 * .pi * 35_200 / 86_400)) < tolerance)
        #expect(abs(r[1] - cos(2 * .pi * 35_200 / 86_400)) < tolerance)
        // Second harmonic: 2 × 35_200 = 70_400 (still below one period).
        #expect(abs(r[2] - sin(2 * .pi * 70_400 / 86_400)) < tolerance)
        #expect(abs(r[3] - cos(2 * .pi * 70_400 / 86_400)) < tolerance)
    }

    @Test func negativeTimesWrapIntoThePeriod() throws {
        let schema = try FeatureSchema(fourier: [FourierTerm(period: 86_400, harmonics: 1)])
        let r = try row(schema, -21_600) // 18:00 on 1969-12-31
        #expect(abs(r[0] + 1) < tolerance)
        #expect(abs(r[1]) < tolerance)
    }

    @Test func indexAxisUsesStepIndexAndFractionalPeriods() throws {
        let schema = try FeatureSchema(axis: .index, fourier: [FourierTerm(period: 7, harmonics: 1),
                                                               FourierTerm(period: 7.5, harmonics: 1)])
        #expect(schema.columnNames == ["fourier_7_1_sin", "fourier_7_1_cos", "fourier_7.5_1_sin", "fourier_7.5_1_cos"])
        let r = try row(schema, 10) // 10 mod 7 = 3; 10 mod 7.5 = 2.5
        #expect(abs(r[0] - sin(2 * .pi * 3 / 7)) < tolerance)
        #expect(abs(r[1] - cos(2 * .pi * 3 / 7)) < tolerance)
        #expect(abs(r[2] - sin(2 * .pi * 2.5 / 7.5)) < tolerance)
        #expect(abs(r[3] - cos(2 * .pi * 2.5 / 7.5)) < tolerance)
    }

    @Test func periodInStepsConvertsToSeconds() {
        #expect(FourierTerm.steps(288, of: 300, harmonics: 3) == FourierTerm(period: 86_400, harmonics: 3))
    }

    @Test func sameValueWhateverTheWindowStart() throws {
        let schema = try FeatureSchema(fourier: [FourierTerm(period: 604_800, harmonics: 3)])
        let a = try schema.matrix(for: TimeGrid(axis: .time, start: 1_700_000_000, step: 3600, count: 48),
                                  seriesID: "s", group: nil, events: [])
        let b = try schema.matrix(for: TimeGrid(axis: .time, start: 1_700_000_000 + 24 * 3600, step: 3600, count: 24),
                                  seriesID: "s", group: nil, events: [])
        for i in 0..<24 { #expect(bits(a.row(24 + i)) == bits(b.row(i))) }
    }
}
