import Foundation
import Testing
@testable import Calibration
import TimeSeries

@Suite struct AdaptiveConformalTests {
    static let levels = [0.5, 0.8, 0.9, 0.95, 0.99]

    /// A stream whose forecasts are N(μ_t, 1) while the truth's sd is 1.5 for the first half and
    /// 2.5 for the second (a shift the model never learns). Returns (ACI coverage, raw coverage,
    /// final state).
    static func run(steps: Int, target: Double, learningRate: Double, seed: UInt64) throws
        -> (aci: Double, raw: Double, state: AdaptiveConformal) {
        var rng = SplitMix64(state: seed)
        var aci = try AdaptiveConformal(targetLevel: target, learningRate: learningRate)
        var rawCovered = 0
        for t in 0..<steps {
            let mu = 100 + 20 * sin(Double(t) / 30)
            let f = try forecast(levels: levels, rows: [gaussianRow(mean: mu, sigma: 1, levels: levels)])
            let y = mu + (t < steps / 2 ? 1.5 : 2.5) * rng.gaussian()
            let sized = try #require(aci.sizingQuantile(from: f, step: 1))
            aci.update(actual: y, sizedAt: sized)
            if y <= mu + NormalDistribution.quantile(target) { rawCovered += 1 }
        }
        return (try #require(aci.observedCoverage), Double(rawCovered) / Double(steps), aci)
    }

    @Test(arguments: [(0.9, 0.01), (0.95, 0.01), (0.9, 0.005)])
    func longRunCoverageMeetsTheTargetWhereTheRawQuantileDoesNot(target: Double, gamma: Double) throws {
        let steps = 5_000
        let (covered, raw, state) = try Self.run(steps: steps, target: target, learningRate: gamma, seed: 7)
        #expect(state.observations == steps)
        // Gibbs & Candès Prop. 4.1: |miss rate − α| ≤ (max(α₁, 1 − α₁) + γ) / (γT), whatever the data.
        let bound = (max(1 - target, target) + gamma) / (gamma * Double(steps))
        #expect(abs(covered - target) <= bound, "coverage \(covered), bound \(bound)")
        #expect(abs(covered - target) <= 0.02, "ACI coverage \(covered) for target \(target), γ \(gamma)")
        #expect(raw < target - 0.1, "the raw quantile should under-cover, got \(raw)")
        // It got there by sizing higher than the raw level: α_t ended well below α.
        #expect(state.alpha < state.targetMiscoverage)
    }

    @Test func oneMissLowersAlphaByGammaTimesOneMinusAlphaAndOneHitRaisesItByGammaAlpha() throws {
        var aci = try AdaptiveConformal(targetLevel: 0.9, learningRate: 0.01)
        #expect(aci.alpha == 1 - 0.9 && aci.level == 0.9)
        let f = try forecast(levels: Self.levels, rows: [[0, 1, 2, 3, 4]])
        let sized = try #require(aci.sizingQuantile(from: f, step: 1))
        #expect(sized == .finite(value: 2, level: 0.9, extrapolated: false))
        #expect(aci.update(actual: 2.5, sizedAt: sized) == true)
        // α₂ = 0.1 + 0.01 (0.1 − 1) = 0.091.
        #expect(abs(aci.alpha - 0.091) < 1e-15)
        #expect(aci.update(actual: -5, sizedAt: sized) == false)
        // α₃ = 0.091 + 0.01 · 0.1 = 0.092.
        #expect(abs(aci.alpha - 0.092) < 1e-15)
        #expect(aci.update(actual: .nan, sizedAt: sized) == nil)
        #expect(aci.observations == 2 && aci.misses == 1 && aci.observedCoverage == 0.5)
        // Between levels 0.9 and 0.95 at 0.908: 2 + (0.008 / 0.05) · 1 = 2.16.
        guard case .finite(let v, let level, false) = try #require(aci.sizingQuantile(from: f, step: 1)) else {
            Issue.record("expected an interpolated quantile"); return
        }
        #expect(abs(level - 0.908) < 1e-15 && abs(v - 2.16) < 1e-12)
        #expect(aci.sizingQuantile(from: f, step: 2) == nil)
    }

    @Test func alphaAtOrBelowZeroSizesUnboundedAndAtOrAboveOneAsksForNothing() throws {
        // γ = 1, α = 0.5: a miss gives α = 0.5 + (0.5 − 1) = 0 → the whole line.
        var aci = try AdaptiveConformal(targetLevel: 0.5, learningRate: 1)
        let f = try forecast(levels: Self.levels, rows: [[0, 1, 2, 3, 4]])
        aci.update(miss: true)
        #expect(aci.alpha == 0)
        let top = try #require(aci.sizingQuantile(from: f, step: 1))
        #expect(top == .unboundedAbove && top.covers(.greatestFiniteMagnitude))
        #expect(aci.update(actual: 1e300, sizedAt: top) == false)
        // 0 + 0.5 → 0.5; two hits → 1.0 and 1.5? No: α + γ(α − 0) = 0.5, then 1.0 → the empty set.
        aci.update(miss: false)
        #expect(aci.alpha == 1)
        let none = try #require(aci.sizingQuantile(from: f, step: 1))
        #expect(none == .unboundedBelow && !none.covers(-1e300))
    }

    @Test func stateSurvivesPersistenceAndACorruptAlphaIsPulledBackIntoRange() throws {
        var aci = try AdaptiveConformal(targetLevel: 0.95, learningRate: 0.005)
        for miss in [true, false, false, true] { aci.update(miss: miss) }
        let data = try JSONEncoder().encode(aci)
        #expect(try JSONDecoder().decode(AdaptiveConformal.self, from: data) == aci)

        let corrupt = #"{"targetMiscoverage":0.05,"learningRate":0.01,"alpha":7,"observations":3,"misses":9}"#
        let fixed = try JSONDecoder().decode(AdaptiveConformal.self, from: Data(corrupt.utf8))
        #expect(fixed.alpha == 1.01 && fixed.misses == 3)
        let impossible = #"{"targetMiscoverage":1.5,"learningRate":0.01,"alpha":0.1,"observations":0,"misses":0}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AdaptiveConformal.self, from: Data(impossible.utf8)) }
        #expect(throws: CalibrationError.self) { try AdaptiveConformal(targetLevel: 1) }
        #expect(throws: CalibrationError.self) { try AdaptiveConformal(targetLevel: 0.9, learningRate: 0) }
    }
}
